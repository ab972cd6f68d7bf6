package dev.drpilot.failover.agent;

import dev.drpilot.events.AgentCommand;
import dev.drpilot.events.AgentCommandKind;
import dev.drpilot.events.AgentReply;
import dev.drpilot.events.AgentReplyOutcome;
import dev.drpilot.schemas.topic.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The reply tail: a reply sent after the command is handed to its waiter, and a tail that stops leaves no waiter hanging. */
class AgentChannelTailTest {
    private static final TopicPartition PARTITION = new TopicPartition(Topics.AGENT_REPLIES.name(), 0);

    private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
    private final MockProducer<String, byte[]> producer = new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
    private AgentChannel channel;

    @AfterEach
    void close() {
        if (channel != null) {
            channel.close();
        }
    }

    private AgentChannel tailingChannel() {
        consumer.updatePartitions(PARTITION.topic(), List.of(new PartitionInfo(PARTITION.topic(), 0, Node.noNode(), new Node[0], new Node[0])));
        consumer.updateEndOffsets(Map.of(PARTITION, 5L));
        channel = AgentChannel.tailing(producer, () -> consumer);
        await().atMost(Duration.ofSeconds(10)).until(channel::tailed);
        return channel;
    }

    @Test
    void theReplyToTheCommandIsHandedToItsWaiterAndOthersAreNot() throws Exception {
        AgentChannel channel = tailingChannel();
        CompletableFuture<Optional<AgentReply>> answer = CompletableFuture.supplyAsync(() -> request(channel, "fence-1", Duration.ofSeconds(20)));
        await().atMost(Duration.ofSeconds(10)).until(() -> producer.history().size() == 1);
        assertThat(Topics.AGENT_COMMANDS.valueSerde().deserializer().deserialize(Topics.AGENT_COMMANDS.name(), producer.history().get(0).value())
                .getCommandId()).isEqualTo("fence-1");
        consumer.schedulePollTask(() -> {
            consumer.addRecord(record(5, reply("fence-0")));                     // an older request's: not this one
            consumer.addRecord(new ConsumerRecord<>(PARTITION.topic(), 0, 6, null, new byte[] {1, 2}));   // garbage: skipped
            consumer.addRecord(record(7, reply("fence-1")));
        });
        Optional<AgentReply> reply = answer.get(20, TimeUnit.SECONDS);
        assertThat(reply).map(AgentReply::getCommandId).contains("fence-1");
    }

    @Test
    void noReplyInTimeIsAnEmptyAnswer() throws Exception {
        AgentChannel channel = tailingChannel();
        assertThat(channel.request(command("intent-1"), Duration.ofMillis(300))).isEmpty();
        assertThat(producer.history()).hasSize(1);
    }

    @Test
    void aTailThatStopsWhileAReplyIsAwaitedAnswersNoReplyAtOnceAndIsNoLongerUsed() throws Exception {
        AgentChannel channel = tailingChannel();
        long started = System.nanoTime();
        CompletableFuture<Optional<AgentReply>> answer = CompletableFuture.supplyAsync(() -> request(channel, "fence-2", Duration.ofSeconds(60)));
        await().atMost(Duration.ofSeconds(10)).until(() -> producer.history().size() == 1);
        consumer.setPollException(new KafkaException("broker gone"));
        assertThat(answer.get(20, TimeUnit.SECONDS)).isEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(30));   // not the 60 s timeout
        assertThat(channel.tailed()).isFalse();
    }

    private static Optional<AgentReply> request(AgentChannel channel, String id, Duration timeout) {
        try {
            return channel.request(command(id), timeout);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static ConsumerRecord<byte[], byte[]> record(long offset, AgentReply reply) {
        return new ConsumerRecord<>(PARTITION.topic(), 0, offset, null,
                Topics.AGENT_REPLIES.valueSerde().serializer().serialize(PARTITION.topic(), reply));
    }

    private static AgentCommand command(String id) {
        Instant now = Instant.now();
        return AgentCommand.newBuilder().setCommandId(id).setCluster("orders").setNode("pg-1").setKind(AgentCommandKind.FENCE)
                .setReason("test").setIssuedBy("test").setIssuedAt(now).setExpiresAt(now.plusSeconds(60)).build();
    }

    private static AgentReply reply(String id) {
        return AgentReply.newBuilder().setCommandId(id).setCluster("orders").setNode("pg-1").setAgentId("agent-1")
                .setKind(AgentCommandKind.FENCE).setOutcome(AgentReplyOutcome.DONE).setDetail("stopped").setRepliedAt(Instant.now()).build();
    }
}
