package dev.drpilot.failover.agent;

import dev.drpilot.events.AgentCommandKind;
import dev.drpilot.events.AgentReply;
import dev.drpilot.failover.AuditLog;
import dev.drpilot.failover.DeadLetters;
import dev.drpilot.runtime.Attempt;
import dev.drpilot.runtime.Backoff;
import dev.drpilot.runtime.CommitPolicy;
import dev.drpilot.runtime.ConsumerLoop;
import dev.drpilot.runtime.ErrorPolicy;
import dev.drpilot.runtime.Outcome;
import dev.drpilot.runtime.Worker;
import dev.drpilot.schemas.topic.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Records the agents' rejoin replies on {@code drpilot.actions} ({@link RejoinReplyRecord}): the agent principal may not
 * write the audit trail, so the actuator does. Its own consumer group ({@code drpilot-failover-agent-replies}), one record
 * at a time, the offset committed once the record is written. Replies to other kinds are someone's request's answer
 * ({@link AgentChannel#request}) and are left alone. An unreadable reply, or one keyed for another node than it names, is
 * dead-lettered and counted like every other unreadable record of the actuator.
 *
 * <p>The records go through the audit log's own producer, not the cluster's transactional recorder: opening a cluster's
 * transactional id fences the runbook that may be running for it at that moment, and a reply is a fact reported, not a
 * step decided. A reply recorded and not yet committed when the actuator dies is recorded again by the next: the same
 * {@code actionId} twice.
 */
public final class RejoinReplies implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RejoinReplies.class);
    public static final String GROUP = "drpilot-failover-agent-replies";
    private static final ErrorPolicy ERRORS = ErrorPolicy.retry(ErrorPolicy.UNLIMITED,
            Backoff.exponential(Duration.ofSeconds(2), Duration.ofSeconds(30)),
            error -> error instanceof AuditLog.AuditException || error instanceof KafkaException);

    private final AuditLog audit;
    private final DeadLetters deadLetters;
    private final Set<String> clusters;
    private final Deserializer<AgentReply> replies = Topics.AGENT_REPLIES.valueSerde().deserializer();
    private final ConsumerLoop<byte[], byte[]> loop;

    /** @param clusters the configured clusters: a dead letter's page names the cluster only when its key names one of them */
    public RejoinReplies(Map<String, Object> kafkaClientProperties, AuditLog audit, DeadLetters deadLetters, Set<String> clusters, Clock clock) {
        this.audit = audit;
        this.deadLetters = deadLetters;
        this.clusters = Set.copyOf(clusters);
        Map<String, Object> props = new HashMap<>(kafkaClientProperties);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.loop = ConsumerLoop.builder("failover-agent-replies", consumer)
                .subscribe(List.of(Topics.AGENT_REPLIES.name()), CommitPolicy.AFTER_EACH_RECORD)
                .handler(this::handle)
                .errors(ERRORS)
                .whenDead("the agents' rejoin outcomes are NOT recorded")
                .clock(clock)
                .build();
    }

    public RejoinReplies start() {
        loop.start();
        return this;
    }

    private Outcome handle(ConsumerRecord<byte[], byte[]> record, Attempt attempt) throws AuditLog.AuditException {
        String key = record.key() == null ? "" : new String(record.key(), StandardCharsets.UTF_8);
        AgentReply reply;
        try {
            reply = replies.deserialize(record.topic(), record.headers(), record.value());
        } catch (RuntimeException e) {
            deadLetters.send(record, GROUP, e, cluster(key));
            return Outcome.done();
        }
        if (reply == null || reply.getKind() != AgentCommandKind.REJOIN) {
            return Outcome.done();
        }
        try {
            audit.write(RejoinReplyRecord.of(key, reply));
        } catch (IllegalArgumentException e) {
            deadLetters.send(record, GROUP, e, cluster(key));
            return Outcome.done();
        }
        log.info("[cluster={} node={}] rejoin {} reported by agent {} (command {})", reply.getCluster(), reply.getNode(), reply.getOutcome(),
                reply.getAgentId(), reply.getCommandId());
        return Outcome.done();
    }

    /** Replies are keyed {@code <cluster>/<node>}. */
    private Optional<String> cluster(String key) {
        int slash = key.indexOf('/');
        return Optional.of(slash < 0 ? key : key.substring(0, slash)).filter(clusters::contains);
    }

    /** Its consumer loop, for the health endpoint. */
    public Worker worker() {
        return loop;
    }

    @Override
    public void close() {
        loop.close();
    }
}
