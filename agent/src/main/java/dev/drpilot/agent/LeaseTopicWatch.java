package dev.drpilot.agent;

import dev.drpilot.agent.failsafe.LeaseSeen;
import dev.drpilot.events.AgentLease;
import dev.drpilot.schemas.topic.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Failsafe mode, the replica's side: the newest lease record of its cluster on drpilot.agent.leases, read from the start
 * of the topic without a consumer group (the agent's principal may read the leases), so that a replica's agent refuses
 * to confirm a primary whose lease says it fenced itself or lost its guard, or that another node holds. While Kafka is
 * unreachable the last record read stays what it knows.
 */
final class LeaseTopicWatch extends AgentLoop {
    private static final Logger log = LoggerFactory.getLogger(LeaseTopicWatch.class);

    private final String cluster;
    private final Duration pollTimeout;
    private final KafkaConsumer<String, byte[]> consumer;
    private boolean assigned;
    private volatile LeaseSeen newest;
    private volatile String problem;

    LeaseTopicWatch(Map<String, Object> kafkaClientProperties, AgentIdentity identity, Duration interval) {
        super("agent-lease-view", interval);
        this.cluster = identity.cluster();
        this.pollTimeout = interval;
        Map<String, Object> props = new HashMap<>(kafkaClientProperties);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, identity.agentId() + "-leases");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    }

    @Override
    void tick() {
        try {
            if (!assigned) {
                List<PartitionInfo> partitions = consumer.partitionsFor(Topics.AGENT_LEASES.name(), pollTimeout);
                if (partitions == null || partitions.isEmpty()) {
                    problem = "no partitions of " + Topics.AGENT_LEASES.name() + " yet";
                    return;
                }
                List<TopicPartition> assignment = partitions.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
                consumer.assign(assignment);
                consumer.seekToBeginning(assignment);
                assigned = true;
            }
            for (ConsumerRecord<String, byte[]> record : consumer.poll(pollTimeout)) {
                if (cluster.equals(record.key())) {
                    read(record);
                }
            }
            problem = null;
        } catch (KafkaException e) {
            // Kafka unreachable is what failsafe mode is for: shown on the health endpoint, without a stack trace a tick.
            problem = "leases unreadable: " + e;
        }
    }

    private void read(ConsumerRecord<String, byte[]> record) {
        try {
            AgentLease lease = Topics.AGENT_LEASES.valueSerde().deserializer().deserialize(record.topic(), record.value());
            newest = new LeaseSeen(lease.getNode(), lease.getState());
        } catch (RuntimeException e) {
            log.warn("lease record at offset {} unreadable, skipped: {}", record.offset(), e.toString());
        }
    }

    /** The newest lease record of the cluster read so far. */
    Optional<LeaseSeen> newest() {
        return Optional.ofNullable(newest);
    }

    @Override
    public Optional<String> trouble() {
        String now = problem;
        return now == null ? super.trouble() : Optional.of(now);
    }

    @Override
    public void close() {
        super.close();
        consumer.close(Duration.ofSeconds(1));
    }
}
