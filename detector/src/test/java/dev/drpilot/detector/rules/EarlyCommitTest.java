package dev.drpilot.detector.rules;

import dev.drpilot.config.ConfigLoader;
import dev.drpilot.detector.Plant;
import dev.drpilot.detector.alert.AlertBook;
import dev.drpilot.detector.alert.AlertState;
import dev.drpilot.detector.state.JsonSerde;
import dev.drpilot.events.Alert;
import dev.drpilot.events.ReplicationObservation;
import dev.drpilot.events.Source;
import dev.drpilot.schemas.topic.Topics;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** An emitted alert asks for a commit at once, but not more often than every EARLY_COMMIT_GAP_MS per thread. */
class EarlyCommitTest {
    private static final Instant T0 = Instant.parse("2026-12-02T01:00:00Z");

    private final MockProcessorContext<String, Alert> context = new MockProcessorContext<>();
    private final ReplicationLagRule rule = new ReplicationLagRule(new Plant(ConfigLoader.parse("""
            components: [{name: orders-db, kind: database}]
            thresholds: {replicationLag: 60s, lagHold: 1s, resolveHold: 1s}
            """, "test", name -> null)));
    private long now = 1_000_000_000L;   // behind any other test's clock on this thread: a clock that went back is due

    @BeforeEach
    void init() {
        KeyValueStore<String, AlertState> states = Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(AlertBook.Stores.states(ReplicationLagRule.NAME)), Serdes.String(),
                JsonSerde.of(AlertState.class)).withLoggingDisabled().build();
        KeyValueStore<String, Alert> firing = Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(AlertBook.Stores.firing(ReplicationLagRule.NAME)), Serdes.String(),
                Topics.ALERTS.valueSerde()).withLoggingDisabled().build();
        states.init(context.getStateStoreContext(), states);
        firing.init(context.getStateStoreContext(), firing);
        context.addStateStore(states);
        context.addStateStore(firing);
        rule.init(context);
        lag("pg-0", 0.2, 0);                     // whatever another test on this thread left pending is requested now
        context.resetCommit();
        now += RuleProcessor.EARLY_COMMIT_GAP_MS;   // ... and that request's gap is over before the test begins
    }

    @Test
    void anAlertAsksForACommitAtOnceAndTheNextWithinTheGapWaitsForTheGap() {
        lag("pg-2", 0.2, 1);
        assertThat(context.committed()).as("a healthy replica: no alert, the regular commit will do").isFalse();

        lag("pg-2", 90.0, 2);
        lag("pg-3", 90.0, 2);
        assertThat(context.committed()).as("lagging, but for less than lagHold: no alert yet").isFalse();
        lag("pg-2", 90.0, 3);
        assertThat(context.forwarded()).hasSize(1);
        assertThat(context.committed()).as("the alert asks for a commit").isTrue();
        context.resetCommit();

        now += RuleProcessor.EARLY_COMMIT_GAP_MS / 2;
        lag("pg-3", 90.0, 3);
        assertThat(context.forwarded()).hasSize(2);
        assertThat(context.committed()).as("within the gap: pending").isFalse();

        now += RuleProcessor.EARLY_COMMIT_GAP_MS / 2;
        lag("pg-4", 0.2, 4);
        assertThat(context.committed()).as("the first record after the gap asks for the pending alert").isTrue();
        context.resetCommit();

        now += RuleProcessor.EARLY_COMMIT_GAP_MS;
        lag("pg-4", 0.2, 5);
        assertThat(context.committed()).as("nothing pending any more").isFalse();
    }

    @Test
    void anAlertFromARecordInABacklogLeavesItsCommitToTheRegularInterval() {
        now = T0.plusSeconds(3).toEpochMilli() + RuleProcessor.BEHIND_MS + 1;   // processed later than BEHIND_MS after their time
        lag("pg-5", 90.0, 2);
        lag("pg-5", 90.0, 3);
        assertThat(context.forwarded()).hasSize(1);
        assertThat(context.committed()).as("a late record's alert: the regular commit, not an early one").isFalse();

        now = T0.plusSeconds(4).toEpochMilli() + 10;
        lag("pg-6", 0.2, 4);
        assertThat(context.committed()).as("nothing was left pending by the late alert").isFalse();
        lag("pg-6", 90.0, 4);
        now = T0.plusSeconds(5).toEpochMilli() + 10;
        lag("pg-6", 90.0, 5);
        assertThat(context.forwarded()).hasSize(2);
        assertThat(context.committed()).as("an on-time record's alert asks at once").isTrue();
    }

    private void lag(String replica, double seconds, int second) {
        context.setCurrentSystemTimeMs(now);
        ReplicationObservation observation = ReplicationObservation.newBuilder()
                .setObservedAt(T0.plusSeconds(second))
                .setSource(Source.newBuilder().setCollectorId("c1").setVantage("eu").build())
                .setComponent("orders-db").setCluster("orders").setPrimaryNode("pg-1").setReplicaNode(replica)
                .setStreaming(true).setLagSeconds(seconds).setLagBytes(0L)
                .build();
        rule.process(new Record<>("orders", observation, T0.plusSeconds(second).toEpochMilli()));
    }
}
