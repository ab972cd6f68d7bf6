package dev.drpilot.notify.metrics;

import dev.drpilot.config.ConfigLoader;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.events.ActionKind;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.ActionStatus;
import dev.drpilot.events.ArchiverStatus;
import dev.drpilot.events.BackupObservation;
import dev.drpilot.events.BackupStatus;
import dev.drpilot.events.BackupTool;
import dev.drpilot.events.ReplicationObservation;
import dev.drpilot.events.Source;
import dev.drpilot.notify.MetricsScrape;
import dev.drpilot.notify.SettableClock;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static dev.drpilot.notify.TestObservations.backup;
import static dev.drpilot.notify.TestObservations.failoverSummary;
import static dev.drpilot.notify.TestObservations.lag;
import static org.assertj.core.api.Assertions.assertThat;

class PlantMetricsTest {
    private static final Instant T0 = Instant.parse("2026-11-24T03:00:00Z");
    private static final Map<String, String> PG2 = Map.of("component", "orders-db", "cluster", "orders", "node", "pg-2");
    private static final Map<String, String> PG3 = Map.of("component", "orders-db", "cluster", "orders", "node", "pg-3");
    private static final Map<String, String> ORDERS_DB = Map.of("component", "orders-db");

    private final SettableClock clock = new SettableClock(T0);
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PlantMetrics metrics = new PlantMetrics(registry, config("replicationInterval: 1m"), clock);

    static DrpilotConfig config(String clusterSettings) {
        return ConfigLoader.parse("""
                components:
                  - {name: orders-db, kind: database, cluster: orders, rpo: 2m}
                  - {name: orders-app, kind: application, rto: 90s}
                clusters:
                  orders:
                    component: orders-db
                    %s
                    nodes:
                      - {name: pg-1, host: 127.0.0.1, role: primary, user: drpilot}
                      - {name: pg-2, host: 127.0.0.1, user: drpilot}
                """.formatted(clusterSettings), "test", name -> null);
    }

    private MetricsScrape scrape() throws Exception {
        return MetricsScrape.of(registry);
    }

    @Test
    void replicationLagIsTheNewestObservationOfEachReplica() throws Exception {
        metrics.accept(lag("pg-2", 12.5, 4096L, T0));
        metrics.accept(lag("pg-2", 95.0, 1L << 20, T0.plusSeconds(10)));
        // Another vantage's older reading arrives late: it must not replace the newer one.
        metrics.accept(lag("pg-2", 3.0, 10L, T0.plusSeconds(5)));
        metrics.accept(lag("pg-3", 0.0, 0L, T0.plusSeconds(10)));

        MetricsScrape scrape = scrape();
        assertThat(scrape.value("drpilot_replication_lag_seconds", PG2)).hasValue(95.0);
        assertThat(scrape.value("drpilot_replication_lag_bytes", PG2)).hasValue(1 << 20);
        assertThat(scrape.value("drpilot_replication_lag_seconds", PG3)).hasValue(0.0);
        assertThat(scrape.text()).contains("# TYPE drpilot_replication_lag_seconds gauge", "# TYPE drpilot_replication_lag_bytes gauge");
    }

    @Test
    void aReplicaWithoutMeasurementHasNoSampleRatherThanAHealthyLookingZero() throws Exception {
        metrics.accept(lag("pg-2", 40.0, 900L, T0));
        metrics.accept(lag("pg-2", null, null, T0.plusSeconds(5)));

        assertThat(scrape().value("drpilot_replication_lag_seconds", PG2)).isEmpty();
        assertThat(scrape().value("drpilot_replication_lag_bytes", PG2)).isEmpty();
    }

    @Test
    void aReplicaNotObservedForTenIntervalsLosesItsSeries() throws Exception {
        metrics.accept(lag("pg-2", 1.0, 10L, T0));
        metrics.accept(lag("pg-3", 2.0, 20L, T0.plusSeconds(60)));
        assertThat(metrics.staleAfter("orders")).isEqualTo(Duration.ofMinutes(10));

        clock.set(T0.plus(Duration.ofMinutes(10)));
        assertThat(scrape().value("drpilot_replication_lag_seconds", PG2)).hasValue(1.0);

        clock.set(T0.plus(Duration.ofMinutes(10)).plusMillis(1));
        MetricsScrape later = scrape();
        assertThat(later.value("drpilot_replication_lag_seconds", PG2)).isEmpty();
        assertThat(later.value("drpilot_replication_lag_bytes", PG2)).isEmpty();
        assertThat(later.value("drpilot_replication_lag_seconds", PG3)).hasValue(2.0);
    }

    @Test
    void aPromotedReplicaLosesItsLagSeriesOnceItIsSeenAsThePrimary() throws Exception {
        metrics.accept(lag("pg-2", 0.0, 0L, T0));
        metrics.accept(ReplicationObservation.newBuilder(lag("pg-1", null, null, T0.plusSeconds(10))).setPrimaryNode("pg-2")
                .setStreaming(false).setState(null).setError("replica pg-1: connection refused").build());
        metrics.accept(lag("pg-2", 0.0, 0L, T0.plusSeconds(5)));   // late, from before the failover

        assertThat(scrape().value("drpilot_replication_lag_seconds", PG2)).isEmpty();
    }

    @Test
    void aFastClusterStillKeepsItsReplicasForFiveMinutes() {
        PlantMetrics fast = new PlantMetrics(new PrometheusRegistry(), config("replicationInterval: 1s"), clock);
        assertThat(fast.staleAfter("orders")).isEqualTo(Duration.ofMinutes(5));
        assertThat(fast.staleAfter("not-configured")).isEqualTo(Duration.ofMinutes(5));
        assertThat(metrics.longestStale()).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void recoveryPointAgeGrowsWithTheClockAndFailuresAreKeptApartFromSuccesses() throws Exception {
        Instant goodBackup = T0.minus(Duration.ofHours(6));
        Instant newestWal = T0.minusSeconds(90);
        metrics.accept(backup(BackupStatus.SUCCEEDED, goodBackup, goodBackup, T0.minusSeconds(120)));
        metrics.accept(backup(BackupStatus.SUCCEEDED, goodBackup, newestWal, T0.minusSeconds(60)));
        // A failed backup after them: proves no newer recovery point, moves no "last successful" time.
        metrics.accept(backup(BackupStatus.FAILED, null, null, T0.minusSeconds(30)));

        MetricsScrape scrape = scrape();
        assertThat(scrape.value("drpilot_recovery_point_age_seconds", ORDERS_DB)).hasValue(90.0);
        assertThat(scrape.value("drpilot_last_successful_backup_timestamp_seconds", ORDERS_DB)).hasValue(goodBackup.getEpochSecond());
        assertThat(scrape.value("drpilot_last_failed_backup_timestamp_seconds", ORDERS_DB)).hasValue(T0.minusSeconds(30).getEpochSecond());

        clock.set(T0.plusSeconds(100));
        assertThat(scrape().value("drpilot_recovery_point_age_seconds", ORDERS_DB)).hasValue(190.0);
    }

    @Test
    void continuousArchivingShowsFailureAndUnarchivedWalUntilItsReadingGoesStale() throws Exception {
        Map<String, String> orders = Map.of("component", "orders-db", "cluster", "orders");
        metrics.accept(archiving(false, 96, 0, T0.minusSeconds(20), T0.minusSeconds(20)));
        // A late reading of an older state changes nothing.
        metrics.accept(archiving(true, 1 << 24, 1 << 24, T0.minusSeconds(40), T0.minusSeconds(40)));

        MetricsScrape scrape = scrape();
        assertThat(scrape.value("drpilot_wal_archiving_failing", orders)).hasValue(0.0);
        assertThat(scrape.value("drpilot_wal_unarchived_bytes", orders)).hasValue(96.0);
        assertThat(scrape.value("drpilot_wal_archive_waiting_bytes", orders)).hasValue(0.0);
        assertThat(scrape.value("drpilot_recovery_point_age_seconds", ORDERS_DB)).hasValue(20.0);
        assertThat(scrape.value("drpilot_last_successful_backup_timestamp_seconds", ORDERS_DB)).as("archiving is no backup").isEmpty();

        metrics.accept(archiving(true, (3L << 24) + 10, 3L << 24, T0, T0.minusSeconds(20)));
        scrape = scrape();
        assertThat(scrape.value("drpilot_wal_archiving_failing", orders)).hasValue(1.0);
        assertThat(scrape.value("drpilot_wal_archive_waiting_bytes", orders)).hasValue((double) (3L << 24));
        assertThat(scrape.value("drpilot_last_failed_backup_timestamp_seconds", ORDERS_DB)).as("a failing archiver is no failed backup").isEmpty();

        // The collector stopped reading (replicationInterval 1m: stale after 10m): no sample rather than the last figure.
        clock.set(T0.plus(Duration.ofMinutes(11)));
        assertThat(scrape().value("drpilot_wal_archiving_failing", orders)).isEmpty();
        assertThat(scrape().value("drpilot_wal_unarchived_bytes", orders)).isEmpty();
    }

    @Test
    void aProblemTheBackupToolReportsWithTheArchiveCountsAsArchivingFailing() throws Exception {
        Map<String, String> orders = Map.of("component", "orders-db", "cluster", "orders");
        metrics.accept(archiving(false, 96, 0, T0.minusSeconds(20), T0.minusSeconds(20)));
        metrics.accept(toolView(T0.minusSeconds(10), "WAL is missing from the archive: backup F needs it from 000000010000000000000004"));

        MetricsScrape scrape = scrape();
        assertThat(scrape.value("drpilot_wal_archiving_failing", orders)).as("pg_stat_archiver is fine, pgBackRest is not").hasValue(1.0);
        assertThat(scrape.value("drpilot_wal_archive_problems", Map.of("component", "orders-db", "tool", "pgbackrest"))).hasValue(1.0);

        metrics.accept(toolView(T0));
        scrape = scrape();
        assertThat(scrape.value("drpilot_wal_archiving_failing", orders)).hasValue(0.0);
        assertThat(scrape.value("drpilot_wal_archive_problems", Map.of("component", "orders-db", "tool", "pgbackrest"))).hasValue(0.0);
    }

    private static BackupObservation toolView(Instant observedAt, String... problems) {
        return BackupObservation.newBuilder().setObservedAt(observedAt).setComponent("orders-db").setCluster("orders")
                .setSource(Source.newBuilder().setCollectorId("collector-1").setVantage("eu-west-1a").build()).setTool(BackupTool.PGBACKREST)
                .setStatus(BackupStatus.SUCCEEDED).setFinishedAt(T0.minusSeconds(3600)).setRecoveryPointAt(T0.minusSeconds(3600))
                .setArchive(dev.drpilot.events.ArchiveView.newBuilder().setNewestWal("000000010000000000000011")
                        .setProblems(java.util.List.of(problems)).build()).build();
    }

    private static BackupObservation archiving(boolean failing, long unarchived, long waiting, Instant observedAt, Instant recoveryPoint) {
        ArchiverStatus status = ArchiverStatus.newBuilder().setNode("pg-1").setCurrentLsn((4L << 24) + 10).setArchivedWal("000000010000000000000003")
                .setArchivedEndLsn(4L << 24).setUnarchivedBytes(unarchived).setWaitingSegmentBytes(waiting).setFailing(failing)
                .setFailedWal(failing ? "000000010000000000000004" : null).build();
        return BackupObservation.newBuilder().setObservedAt(observedAt).setComponent("orders-db").setCluster("orders")
                .setSource(Source.newBuilder().setCollectorId("collector-1").setVantage("eu-west-1a").build()).setTool(BackupTool.ARCHIVER)
                .setStatus(failing ? BackupStatus.FAILED : BackupStatus.SUCCEEDED).setRecoveryPointAt(recoveryPoint).setArchiver(status).build();
    }

    @Test
    void aSuccessReportWithoutFinishTimeCountsAsFinishedWhenObserved() throws Exception {
        metrics.accept(backup(BackupStatus.SUCCEEDED, null, null, T0.minusSeconds(30)));

        assertThat(scrape().value("drpilot_last_successful_backup_timestamp_seconds", ORDERS_DB)).hasValue(T0.minusSeconds(30).getEpochSecond());
        assertThat(scrape().value("drpilot_recovery_point_age_seconds", ORDERS_DB)).isEmpty();
        assertThat(scrape().value("drpilot_last_failed_backup_timestamp_seconds", ORDERS_DB)).isEmpty();
    }

    @Test
    void aFailureCountsFromItsReportNotFromTheFinishItCarries() throws Exception {
        Instant goodBackup = T0.minus(Duration.ofHours(6));
        metrics.accept(backup(BackupStatus.SUCCEEDED, goodBackup, goodBackup, T0.minusSeconds(120)));
        // pgBackRest reports a failed newest backup with the finish of the newest good one.
        metrics.accept(backup(BackupStatus.FAILED, goodBackup, null, T0.minusSeconds(30)));

        assertThat(scrape().value("drpilot_last_failed_backup_timestamp_seconds", ORDERS_DB)).hasValue(T0.minusSeconds(30).getEpochSecond());
    }

    @Test
    void aSuccessReportWithoutFinishTimeCountsFromItsRecoveryPoint() throws Exception {
        metrics.accept(backup(BackupStatus.SUCCEEDED, null, T0.minusSeconds(90), T0.minusSeconds(30)));

        assertThat(scrape().value("drpilot_last_successful_backup_timestamp_seconds", ORDERS_DB)).hasValue(T0.minusSeconds(90).getEpochSecond());
    }

    @Test
    void rtoAndRpoTargetsComeFromTheConfiguration() throws Exception {
        MetricsScrape scrape = scrape();
        assertThat(scrape.value("drpilot_rto_target_seconds", ORDERS_DB)).hasValue(900.0);
        assertThat(scrape.value("drpilot_rpo_target_seconds", ORDERS_DB)).hasValue(120.0);
        assertThat(scrape.value("drpilot_rto_target_seconds", Map.of("component", "orders-app"))).hasValue(90.0);
        // An application has no RPO: no series, rather than a zero that every age would breach.
        assertThat(scrape.value("drpilot_rpo_target_seconds", Map.of("component", "orders-app"))).isEmpty();
    }

    @Test
    void failoversAreCountedByOutcomeAndSuccessfulOnesTimed() throws Exception {
        MetricsScrape before = scrape();
        assertThat(before.value("drpilot_failovers_total", Map.of("cluster", "orders", "outcome", "succeeded"))).hasValue(0.0);
        assertThat(before.value("drpilot_failovers_total", Map.of("cluster", "orders", "outcome", "failed"))).hasValue(0.0);
        assertThat(before.value("drpilot_failover_duration_seconds_count", Map.of("cluster", "orders"))).hasValue(0.0);

        metrics.accept(failoverSummary("inc-1", "orders", "SUCCEEDED", ActionStatus.SUCCEEDED,
                Map.of("rtoMillis", "5300", "oldPrimary", "pg-1", "newPrimary", "pg-2", "dataLossBytes", "0"), T0));
        metrics.accept(failoverSummary("inc-2", "orders", "FAILED", ActionStatus.FAILED, Map.of(), T0));
        metrics.accept(failoverSummary("inc-3", "orders", "DRY_RUN", ActionStatus.SUCCEEDED, Map.of("rtoMillis", "10", "dryRun", "true"), T0));
        metrics.accept(ActionRecord.newBuilder(failoverSummary("inc-4", "orders", "REFUSED", ActionStatus.REFUSED, Map.of(), T0))
                .setKind(ActionKind.FAILOVER_REFUSED).build());
        // A step's record is not a failover, nor is a delivery.
        metrics.accept(ActionRecord.newBuilder(failoverSummary("inc-1", "orders", "SUCCEEDED", ActionStatus.SUCCEEDED, Map.of(), T0))
                .setKind(ActionKind.FAILOVER_STEP).setName("promote").build());
        metrics.accept(ActionRecord.newBuilder(failoverSummary("x", "orders", "SUCCEEDED", ActionStatus.SUCCEEDED, Map.of(), T0))
                .setKind(ActionKind.ALERT_DELIVERY).setName("summary").build());

        MetricsScrape after = scrape();
        assertThat(after.value("drpilot_failovers_total", Map.of("cluster", "orders", "outcome", "succeeded"))).hasValue(1.0);
        assertThat(after.value("drpilot_failovers_total", Map.of("cluster", "orders", "outcome", "failed"))).hasValue(1.0);
        assertThat(after.value("drpilot_failovers_total", Map.of("cluster", "orders", "outcome", "dry_run"))).hasValue(1.0);
        assertThat(after.value("drpilot_failovers_total", Map.of("cluster", "orders", "outcome", "refused"))).hasValue(1.0);
        assertThat(after.value("drpilot_failover_duration_seconds_count", Map.of("cluster", "orders"))).hasValue(1.0);
        assertThat(after.value("drpilot_failover_duration_seconds_sum", Map.of("cluster", "orders"))).hasValue(5.3);
        assertThat(after.value("drpilot_failover_duration_seconds_bucket", Map.of("cluster", "orders", "le", "5.0"))).hasValue(0.0);
        assertThat(after.value("drpilot_failover_duration_seconds_bucket", Map.of("cluster", "orders", "le", "10.0"))).hasValue(1.0);
    }

    @Test
    void recordsTheFailoverCouldNotReadAreCountedPerTopicAndAreNoFailover() throws Exception {
        metrics.accept(ActionRecord.newBuilder(failoverSummary("deadletter/drpilot.failover.commands-0@7", "orders", "REFUSED",
                ActionStatus.REFUSED, Map.of("topic", "drpilot.failover.commands"), T0)).setKind(ActionKind.FAILOVER_REFUSED).setName("deadletter")
                .build());

        MetricsScrape after = scrape();
        assertThat(after.value("drpilot_failover_records_deadlettered_total", Map.of("topic", "drpilot.failover.commands"))).hasValue(1.0);
        assertThat(after.value("drpilot_failovers_total", Map.of("cluster", "orders", "outcome", "refused"))).hasValue(0.0);
    }

    @Test
    void unreadableRecordsAreCountedPerTopic() throws Exception {
        metrics.unreadable("drpilot.observations.backup");

        assertThat(scrape().value("drpilot_metrics_records_unreadable_total", Map.of("topic", "drpilot.observations.backup"))).hasValue(1.0);
    }
}
