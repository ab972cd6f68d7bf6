package dev.drpilot.notify.status;

import dev.drpilot.config.ConfigLoader;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.events.ActionKind;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.ActionStatus;
import dev.drpilot.events.Alert;
import dev.drpilot.events.BackupStatus;
import dev.drpilot.events.ReplicationObservation;
import dev.drpilot.events.Severity;
import dev.drpilot.notify.SettableClock;
import dev.drpilot.notify.TestAlerts;
import dev.drpilot.notify.topology.LiveTopology;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static dev.drpilot.notify.TestObservations.backup;
import static dev.drpilot.notify.TestObservations.failoverSummary;
import static dev.drpilot.notify.TestObservations.lag;
import static org.assertj.core.api.Assertions.assertThat;

class StatusBoardTest {
    private static final Instant T0 = Instant.parse("2026-11-24T03:00:00Z");
    static final DrpilotConfig CONFIG = ConfigLoader.parse("""
            components:
              - {name: orders-db, kind: database, cluster: orders}
              - {name: orders-app, kind: application, rto: 90s}
            clusters:
              orders:
                component: orders-db
                nodes:
                  - {name: pg-1, host: 127.0.0.1, role: primary, user: drpilot}
                  - {name: pg-2, host: 127.0.0.1, user: drpilot}
            """, "test", name -> null);

    private final SettableClock clock = new SettableClock(T0);
    private final StatusBoard board = new StatusBoard(CONFIG, clock, cluster -> Duration.ofMinutes(5));

    private StatusSnapshot.ComponentRow ordersDb() {
        return board.snapshot().components().stream().filter(row -> row.name().equals("orders-db")).findFirst().orElseThrow();
    }

    @Test
    void everyConfiguredComponentIsShownWithItsTargetsAndUnknownWithoutFigures() {
        StatusSnapshot snapshot = board.snapshot();
        assertThat(snapshot.components()).extracting(StatusSnapshot.ComponentRow::name).containsExactly("orders-db", "orders-app");
        StatusSnapshot.ComponentRow db = snapshot.components().get(0);
        assertThat(db.rtoSeconds()).isEqualTo(900);
        assertThat(db.rtoText()).isEqualTo("15 min");
        assertThat(db.rpoSeconds()).isEqualTo(300);
        assertThat(db.rpoText()).isEqualTo("5 min");
        assertThat(db.cluster()).isEqualTo("orders");
        assertThat(db.nodes()).as("no evidence yet: the configuration's plan, said to be one").containsExactly("pg-1 (configured primary)", "pg-2");
        assertThat(db.state()).isEqualTo(ComponentState.UNKNOWN);
        StatusSnapshot.ComponentRow app = snapshot.components().get(1);
        assertThat(app.rtoText()).isEqualTo("90.0 s");
        assertThat(app.rpoSeconds()).isNull();
        assertThat(app.rpoText()).isEqualTo("none");
        assertThat(app.state()).isEqualTo(ComponentState.UNKNOWN);
        assertThat(snapshot.alerts()).isEmpty();
        assertThat(snapshot.failovers()).isEmpty();
    }

    @Test
    void figuresWithinTheTargetsAreOk() {
        board.accept(lag("pg-2", 2.5, 4096L, T0));
        clock.set(T0.plusSeconds(60));
        board.accept(backup(BackupStatus.SUCCEEDED, T0.minus(Duration.ofHours(1)), T0, T0));
        StatusSnapshot.ComponentRow db = ordersDb();
        assertThat(db.state()).isEqualTo(ComponentState.OK);
        assertThat(db.reasons()).isEmpty();
        assertThat(db.replicas()).singleElement().satisfies(replica -> {
            assertThat(replica.lagSeconds()).isEqualTo(2.5);
            assertThat(replica.lagBytes()).isEqualTo(4096L);
            assertThat(replica.lagText()).isEqualTo("pg-2: 2.5 s / 4.0 KiB");
        });
        assertThat(db.recoveryPointAgeSeconds()).isEqualTo(60.0);
        assertThat(db.recoveryPointAgeText()).isEqualTo("60.0 s");
        assertThat(db.lastGoodBackupAt()).isEqualTo("2026-11-24T02:00:00Z");
        assertThat(db.lastGoodBackupText()).isEqualTo("2026-11-24 02:00:00Z (61 min ago)");
        assertThat(db.lastFailedBackupText()).isNull();
    }

    @Test
    void lagOverTheAlertThresholdWarnsAndOverTheRpoIsCritical() {
        board.accept(lag("pg-2", 95.0, 1L << 20, T0));
        assertThat(ordersDb().state()).isEqualTo(ComponentState.WARNING);
        assertThat(ordersDb().reasons()).containsExactly("lag of pg-2 over 1 min");

        board.accept(lag("pg-2", 400.0, 1L << 20, T0.plusSeconds(1)));
        assertThat(ordersDb().state()).isEqualTo(ComponentState.CRITICAL);
        assertThat(ordersDb().reasons()).containsExactly("lag of pg-2 over the RPO of 5 min");
        assertThat(ordersDb().replicas()).singleElement().extracting(StatusSnapshot.ReplicaRow::lagText).isEqualTo("pg-2: 6 min 40 s / 1.0 MiB");
    }

    @Test
    void aRecoveryPointOlderThanTheRpoIsCriticalAndAFailedLastBackupWarns() {
        board.accept(backup(BackupStatus.SUCCEEDED, T0, T0, T0));
        board.accept(backup(BackupStatus.FAILED, T0.plusSeconds(30), null, T0.plusSeconds(30)));
        clock.set(T0.plusSeconds(60));
        assertThat(ordersDb().state()).isEqualTo(ComponentState.WARNING);
        assertThat(ordersDb().reasons()).containsExactly("last backup failed");
        assertThat(ordersDb().lastFailedBackupText()).isEqualTo("2026-11-24 03:00:30Z (30.0 s ago)");

        clock.set(T0.plus(Duration.ofMinutes(6)));
        assertThat(ordersDb().state()).isEqualTo(ComponentState.CRITICAL);
        assertThat(ordersDb().reasons()).containsExactly("recovery point older than the RPO of 5 min", "last backup failed");

        // A newer good backup clears both.
        board.accept(backup(BackupStatus.SUCCEEDED, T0.plus(Duration.ofMinutes(6)), T0.plus(Duration.ofMinutes(6)), T0.plus(Duration.ofMinutes(6))));
        assertThat(ordersDb().state()).isEqualTo(ComponentState.OK);
    }

    @Test
    void aFailureCountsFromItsReportAsTheBackupFailedAlertCountsIt() {
        board.accept(backup(BackupStatus.SUCCEEDED, T0, T0, T0));
        // pgBackRest reports a failed newest backup with the finish of the newest good one.
        board.accept(backup(BackupStatus.FAILED, T0, null, T0.plusSeconds(60)));
        clock.set(T0.plusSeconds(90));
        assertThat(ordersDb().reasons()).containsExactly("last backup failed");
        assertThat(ordersDb().lastFailedBackupText()).isEqualTo("2026-11-24 03:01:00Z (30.0 s ago)");
    }

    @Test
    void aStaleReplicaLeavesThePage() {
        board.accept(lag("pg-2", 95.0, 1L << 20, T0));
        clock.set(T0.plus(Duration.ofMinutes(6)));
        assertThat(ordersDb().replicas()).isEmpty();
        assertThat(ordersDb().state()).isEqualTo(ComponentState.UNKNOWN);
    }

    @Test
    void aPromotedReplicaLeavesTheReplicasOnceItIsSeenAsThePrimary() {
        board.accept(lag("pg-2", 0.0, 0L, T0));
        ReplicationObservation oldPrimaryAsReplica = ReplicationObservation.newBuilder(lag("pg-1", null, null, T0.plusSeconds(10)))
                .setPrimaryNode("pg-2").setStreaming(false).setState(null).setError("replica pg-1: connection refused").build();
        board.accept(oldPrimaryAsReplica);

        assertThat(ordersDb().replicas()).extracting(StatusSnapshot.ReplicaRow::node).containsExactly("pg-1");
        // A late record from before the failover (another vantage's), still naming pg-2 a replica, does not bring it back.
        board.accept(lag("pg-2", 0.0, 0L, T0.plusSeconds(5)));
        assertThat(ordersDb().replicas()).extracting(StatusSnapshot.ReplicaRow::node).containsExactly("pg-1");
    }

    @Test
    void alertsOpenWhenFiringAndCloseWhenResolved() {
        Alert critical = TestAlerts.firing("orders", Severity.CRITICAL).build();
        Alert warning = TestAlerts.firing("orders", Severity.WARNING).setRule("backup-failed").setFingerprint("backup-failed/component=orders-db")
                .setAnnotations(Map.of("summary", "Backup of orders-db failed", "runbook_url", "javascript:alert(1)")).build();
        clock.set(TestAlerts.STARTS_AT.plusSeconds(90));
        board.accept(warning);
        board.accept(critical);

        StatusSnapshot snapshot = board.snapshot();
        assertThat(snapshot.alerts()).extracting(StatusSnapshot.OpenAlert::rule).containsExactly("replication-lag", "backup-failed");
        StatusSnapshot.OpenAlert lag = snapshot.alerts().get(0);
        assertThat(lag.component()).isEqualTo("orders-db");
        assertThat(lag.severity()).isEqualTo("critical");
        assertThat(lag.summary()).isEqualTo("Replica pg-2 of orders is 95 s behind");
        assertThat(lag.since()).isEqualTo("2026-11-24T03:00:00Z");
        assertThat(lag.sinceText()).isEqualTo("2026-11-24 03:00:00Z (90.0 s ago)");
        assertThat(lag.runbookUrl()).isEqualTo("https://runbooks.example.com/replication-lag");
        assertThat(snapshot.alerts().get(1).runbookUrl()).as("a javascript: link is no link").isNull();
        assertThat(ordersDb().state()).isEqualTo(ComponentState.CRITICAL);
        assertThat(ordersDb().reasons()).containsExactly("alert replication-lag firing (critical)", "alert backup-failed firing (warning)");

        board.accept(TestAlerts.resolved(critical, clock.instant()));
        assertThat(board.snapshot().alerts()).extracting(StatusSnapshot.OpenAlert::rule).containsExactly("backup-failed");
        assertThat(ordersDb().state()).isEqualTo(ComponentState.WARNING);

        board.accept(TestAlerts.resolved(warning, clock.instant()));
        assertThat(board.snapshot().alerts()).isEmpty();
        assertThat(ordersDb().state()).isEqualTo(ComponentState.UNKNOWN);
    }

    @Test
    void failoverStepsAreGroupedByIncidentInOrderWithTheirLatestStatus() {
        Instant start = T0.minus(Duration.ofDays(2));
        board.accept(step("inc-1", "1-check", "check orders", ActionStatus.STARTED, start, null, "choose a candidate"));
        board.accept(step("inc-1", "1-check", "check orders", ActionStatus.SUCCEEDED, start, start.plusMillis(120), "pg-2 chosen"));
        board.accept(step("inc-1", "2-promote", "promote pg-2", ActionStatus.STARTED, start.plusMillis(120), null, "pg_promote"));
        board.accept(step("inc-2", "1-check", "check orders", ActionStatus.STARTED, T0, null, "choose a candidate"));
        board.accept(step("inc-1", "2-promote", "promote pg-2", ActionStatus.SUCCEEDED, start.plusMillis(120), start.plusMillis(2620), "promoted"));
        // Alert deliveries of the same incident are not failover steps.
        board.accept(ActionRecord.newBuilder(step("inc-1", "deliver", "email", ActionStatus.SUCCEEDED, start, start, "sent"))
                .setKind(ActionKind.ALERT_DELIVERY).build());
        board.accept(failoverSummary("inc-1", "orders", "SUCCEEDED", ActionStatus.SUCCEEDED,
                Map.of("rtoMillis", "5300", "oldPrimary", "pg-1", "newPrimary", "pg-2"), start.plusSeconds(3)));

        StatusSnapshot snapshot = board.snapshot();
        assertThat(snapshot.failovers()).extracting(StatusSnapshot.Failover::incident).as("newest first").containsExactly("inc-2", "inc-1");
        StatusSnapshot.Failover underWay = snapshot.failovers().get(0);
        assertThat(underWay.outcome()).isEqualTo("UNDER WAY");
        assertThat(underWay.steps()).singleElement().satisfies(step -> {
            assertThat(step.status()).isEqualTo("STARTED");
            assertThat(step.durationText()).isEqualTo("running");
        });
        StatusSnapshot.Failover done = snapshot.failovers().get(1);
        assertThat(done.cluster()).isEqualTo("orders");
        assertThat(done.outcome()).isEqualTo("SUCCEEDED");
        assertThat(done.oldPrimary()).isEqualTo("pg-1");
        assertThat(done.newPrimary()).isEqualTo("pg-2");
        assertThat(done.recoverySeconds()).isEqualTo(5.3);
        assertThat(done.recoveryText()).isEqualTo("5.3 s");
        assertThat(done.startedText()).isEqualTo("2026-11-22 03:00:00Z");
        assertThat(done.steps()).extracting(StatusSnapshot.Step::step).containsExactly("1-check", "2-promote");
        assertThat(done.steps()).extracting(StatusSnapshot.Step::status).containsExactly("SUCCEEDED", "SUCCEEDED");
        assertThat(done.steps()).extracting(StatusSnapshot.Step::durationText).containsExactly("120 ms", "2.5 s");
        assertThat(done.steps()).extracting(StatusSnapshot.Step::detail).containsExactly("pg-2 chosen", "promoted");
        assertThat(StatusPage.facts(done)).containsExactly("started 2026-11-22 03:00:00Z", "primary pg-1 → pg-2", "recovery time 5.3 s");
    }

    @Test
    void afterAFailoverTheComponentNamesTheLivePrimaryAndTheTopologyShowsEachNode() {
        LiveTopology topology = new LiveTopology(CONFIG);
        StatusBoard live = new StatusBoard(CONFIG, clock, cluster -> Duration.ofMinutes(5), topology);
        topology.accept(failoverSummary("inc-9", "orders", "SUCCEEDED", ActionStatus.SUCCEEDED, Map.of("oldPrimary", "pg-1", "newPrimary", "pg-2"),
                T0));
        clock.set(T0.plusSeconds(30));

        StatusSnapshot snapshot = live.snapshot();
        assertThat(snapshot.components().get(0).nodes()).containsExactly("pg-1", "pg-2 (primary)");
        StatusSnapshot.ClusterTopology orders = snapshot.topology().get(0);
        assertThat(orders.primaries()).containsExactly("pg-2");
        assertThat(orders.nodes()).extracting(StatusSnapshot.NodeRow::role).containsExactly("down", "primary");
        assertThat(orders.nodes().get(0).note()).isEqualTo("configured primary; replaced by pg-2 at 2026-11-24 03:00:00Z (failover inc-9)");
        assertThat(orders.nodes().get(1).sinceText()).isEqualTo("2026-11-24 03:00:00Z (30.0 s ago)");
    }

    @Test
    void onlyTheMostRecentFailoversAreKept() {
        for (int i = 0; i < StatusBoard.FAILOVERS_SHOWN + 5; i++) {
            board.accept(failoverSummary("inc-" + i, "orders", "FAILED", ActionStatus.FAILED, Map.of(), T0.plusSeconds(i)));
        }
        assertThat(board.snapshot().failovers()).hasSize(StatusBoard.FAILOVERS_SHOWN)
                .first().extracting(StatusSnapshot.Failover::incident).isEqualTo("inc-" + (StatusBoard.FAILOVERS_SHOWN + 4));
        assertThat(board.snapshot().failovers()).last().extracting(StatusSnapshot.Failover::incident).isEqualTo("inc-5");
    }

    static ActionRecord step(String incident, String step, String name, ActionStatus status, Instant started, Instant finished, String detail) {
        return ActionRecord.newBuilder().setActionId(incident + "/" + step).setKind(ActionKind.FAILOVER_STEP).setName(name).setStatus(status)
                .setIncidentId(incident).setCluster("orders").setStartedAt(started).setFinishedAt(finished).setDetail(detail)
                .setAttributes(Map.of()).build();
    }
}
