package dev.drpilot.failover.agent;

import dev.drpilot.events.AgentLease;
import dev.drpilot.events.LeaseState;
import dev.drpilot.schemas.topic.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class NewestLeasesTest {
    private static final String TOPIC = Topics.AGENT_LEASES.name();
    private final NewestLeases leases = new NewestLeases();

    private static AgentLease lease(String cluster, String node, long sequence) {
        return AgentLease.newBuilder().setCluster(cluster).setNode(node).setAgentId("agent-" + node).setState(LeaseState.HOLDING)
                .setSequence(sequence).setTtlMillis(3_000).setRenewedAt(Instant.EPOCH).setDetails(Map.of()).build();
    }

    private static ConsumerRecord<byte[], byte[]> record(int partition, long offset, String key, byte[] value) {
        return new ConsumerRecord<>(TOPIC, partition, offset, key == null ? null : key.getBytes(StandardCharsets.UTF_8), value);
    }

    private static ConsumerRecord<byte[], byte[]> record(int partition, long offset, AgentLease lease) {
        return record(partition, offset, lease.getCluster(), Topics.AGENT_LEASES.valueSerde().serializer().serialize(TOPIC, lease));
    }

    private Optional<NewestLeases.Answer> now(String cluster, int partition, long end) throws InterruptedException {
        return leases.awaitUpTo(cluster, partition, end, 0);
    }

    @Test
    void theNewestRecordOfTheClusterOnlyOnceThePartitionIsReadUpToTheEndAsked() throws Exception {
        leases.read(List.of(record(0, 10, lease("orders", "pg-1", 1)), record(0, 11, lease("orders", "pg-2", 1)),
                record(0, 12, lease("payments", "pg-9", 4))), Map.of(0, 13L, 1, 0L));

        assertThat(now("orders", 0, 13)).hasValueSatisfying(answer -> {
            assertThat(answer.records()).containsExactly(lease("orders", "pg-2", 1));
            assertThat(answer.readTo()).isEqualTo(13);
        });
        assertThat(now("orders", 0, 14)).as("a record at 13 may be the newest: no answer").isEmpty();
        assertThat(now("orders", 1, 0)).as("nothing of the cluster in that partition").hasValueSatisfying(answer ->
                assertThat(answer.records()).isEmpty());
        assertThat(now("orders", 2, 0)).as("a partition the tail does not read").isEmpty();
    }

    @Test
    void aClusterWithAnUnreadableRecordGetsNoAnswerWhateverFollowsOthersDo() throws Exception {
        leases.read(List.of(record(0, 0, lease("orders", "pg-1", 1)), record(0, 1, "orders", new byte[]{1, 2, 3}),
                record(0, 2, lease("orders", "pg-1", 2)), record(0, 3, lease("payments", "pg-9", 4))), Map.of(0, 4L));

        assertThat(now("orders", 0, 4)).isEmpty();
        assertThat(now("payments", 0, 4)).hasValueSatisfying(answer -> assertThat(answer.records()).containsExactly(lease("payments", "pg-9", 4)));
    }

    @Test
    void tombstonesAndRecordsWithoutAKeyAreSkippedAsTheReadSkipsThem() throws Exception {
        leases.read(List.of(record(0, 0, lease("orders", "pg-1", 1)), record(0, 1, "orders", null), record(0, 2, null, new byte[]{9})),
                Map.of(0, 3L));

        assertThat(now("orders", 0, 3)).hasValueSatisfying(answer -> assertThat(answer.records()).containsExactly(lease("orders", "pg-1", 1)));
    }

    @Test
    void theSameClusterKeyInTwoPartitionsIsKeptApart() throws Exception {
        leases.read(List.of(record(0, 0, lease("orders", "pg-1", 1)), record(1, 0, lease("orders", "pg-2", 7))), Map.of(0, 1L, 1, 1L));

        assertThat(now("orders", 0, 1)).hasValueSatisfying(answer -> assertThat(answer.records()).containsExactly(lease("orders", "pg-1", 1)));
        assertThat(now("orders", 1, 1)).hasValueSatisfying(answer -> assertThat(answer.records()).containsExactly(lease("orders", "pg-2", 7)));
    }

    @Test
    void aStoppedTailAnswersNothingAndLearnsNothing() throws Exception {
        leases.read(List.of(record(0, 0, lease("orders", "pg-1", 1))), Map.of(0, 1L));
        leases.stop();
        leases.read(List.of(record(0, 1, lease("orders", "pg-1", 2))), Map.of(0, 2L));

        assertThat(now("orders", 0, 1)).isEmpty();
        assertThat(now("orders", 0, 0)).isEmpty();
    }

    @Test
    void aWaitingReadIsAnsweredWhenTheTailGetsThere() throws Exception {
        leases.read(List.of(), Map.of(0, 5L));
        CompletableFuture<Optional<NewestLeases.Answer>> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return leases.awaitUpTo("orders", 0, 6, Duration.ofSeconds(30).toNanos());
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        leases.read(List.of(record(0, 5, lease("orders", "pg-1", 3))), Map.of(0, 6L));

        assertThat(waiting.get(20, TimeUnit.SECONDS)).hasValueSatisfying(answer ->
                assertThat(answer.records()).containsExactly(lease("orders", "pg-1", 3)));
    }

    @Test
    void aWaitThatTheTailDoesNotAnswerInTimeEndsEmpty() throws Exception {
        leases.read(List.of(), Map.of(0, 5L));

        assertThat(leases.awaitUpTo("orders", 0, 6, Duration.ofMillis(20).toNanos())).isEmpty();
    }
}
