package dev.drpilot.failover.agent;

import dev.drpilot.runtime.Worker;
import dev.drpilot.runtime.WorkerHealth;
import dev.drpilot.schemas.topic.Topics;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The actuator's tails of the agents' topics on the health endpoint: a tail an error stopped is dead, and says why. */
class TailHealthTest {
    private static MockConsumer<byte[], byte[]> consumerOf(String topic) {
        MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("none");
        Node node = new Node(0, "localhost", 9092);
        consumer.updatePartitions(topic, List.of(new PartitionInfo(topic, 0, node, new Node[]{node}, new Node[]{node})));
        TopicPartition partition = new TopicPartition(topic, 0);
        consumer.updateBeginningOffsets(Map.of(partition, 0L));
        consumer.updateEndOffsets(Map.of(partition, 0L));
        return consumer;
    }

    @Test
    void aLeaseTailStoppedByAnErrorIsDeadOnTheHealthEndpointNamingTheError() {
        MockConsumer<byte[], byte[]> consumer = consumerOf(Topics.AGENT_LEASES.name());
        try (LeaseSightings tail = new LeaseSightings(consumer, System::nanoTime)) {
            WorkerHealth health = new WorkerHealth().watch(tail.worker());
            tail.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> tail.silence("orders", "pg-1").isPresent());
            assertThat(health.liveness().healthy()).as("positioned and reading").isTrue();

            consumer.setPollException(new KafkaException("the log was truncated under the tail"));

            await().atMost(Duration.ofSeconds(10)).until(() -> !tail.worker().alive());
            assertThat(tail.worker().failure()).get().extracting(Throwable::getMessage).isEqualTo("the log was truncated under the tail");
            assertThat(tail.silence("orders", "pg-1")).as("a stopped tail answers nothing").isEmpty();
            assertThat(health.liveness()).isEqualTo(new WorkerHealth.Probe(false,
                    "dead: failover-lease-sightings: org.apache.kafka.common.KafkaException: the log was truncated under the tail"));
        }
    }

    @Test
    void aReplyTailStoppedByAnErrorIsDeadOnTheHealthEndpointAndRequestsReadForThemselves() {
        MockConsumer<byte[], byte[]> consumer = consumerOf(Topics.AGENT_REPLIES.name());
        try (ReplyTail tail = new ReplyTail(consumer)) {
            WorkerHealth health = new WorkerHealth().watch(tail.worker());
            tail.start();
            await().atMost(Duration.ofSeconds(10)).until(tail::positioned);
            assertThat(health.liveness().healthy()).isTrue();

            consumer.setPollException(new KafkaException("not authorized to read the replies"));

            await().atMost(Duration.ofSeconds(10)).until(() -> !tail.worker().alive());
            assertThat(tail.positioned()).isFalse();
            assertThat(tail.await("command-1")).as("a request reads the replies by itself").isEmpty();
            assertThat(health.liveness().text())
                    .isEqualTo("dead: failover-agent-replies: org.apache.kafka.common.KafkaException: not authorized to read the replies");
        }
    }

    @Test
    void aClosedTailIsStoppedWithoutAnError() {
        LeaseSightings tail = new LeaseSightings(consumerOf(Topics.AGENT_LEASES.name()), System::nanoTime).start();
        await().atMost(Duration.ofSeconds(10)).until(() -> tail.silence("orders", "pg-1").isPresent());
        Worker worker = tail.worker();

        tail.close();

        assertThat(worker.alive()).isFalse();
        assertThat(worker.failure()).isEmpty();
    }
}
