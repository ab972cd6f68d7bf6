package dev.drpilot.config;

import java.time.Duration;

/**
 * Detection thresholds. The top-level {@code thresholds} section sets them for every component;
 * a component's own {@code thresholds} overrides any of them for that component alone
 * ({@link Component#thresholds()} is the effective set).
 *
 * @param lagHold                how long lag must stay over the threshold before the alert fires
 * @param resolveHold            how long a condition must stay clear before the alert resolves (no flapping)
 * @param recoveryPointGrace     after start-up, how long to wait for a first backup report before "no recovery point" fires
 * @param collectorSilenceFactor a collector is silent after this many missed heartbeat intervals
 * @param failoverCompletion     a failover command with no successful completion record within this time is failover trouble
 * @param evidenceMaxAge         a vantage's verdict on a primary older than this (behind the newest observation) no longer counts
 * @param probeFailures          consecutive failed probes (from one vantage) before an application or DNS component counts as down
 * @param archiveHold            how long WAL archiving must keep failing (or stay behind) before the archiving alert fires:
 *                               PostgreSQL retries a failed archive_command by itself, and one retry that succeeds is no page
 * @param archiveBacklogBytes    completed WAL segments waiting for archive_command beyond this many bytes: archiving is behind
 */
public record Thresholds(Duration replicationLag, long replicationLagBytes, Duration lagHold, Duration resolveHold,
                         Duration recoveryPointGrace, int collectorSilenceFactor, Duration failoverCompletion,
                         Duration evidenceMaxAge, int probeFailures, Duration archiveHold, long archiveBacklogBytes) {

    /** The DR plan's values. */
    static Thresholds drPlan() {
        return new Thresholds(Duration.ofSeconds(60), 64L << 20, Duration.ofSeconds(30), Duration.ofSeconds(60),
                Duration.ofMinutes(2), 3, Duration.ofMinutes(5), Duration.ofSeconds(30), 3, Duration.ofSeconds(30), 256L << 20);
    }

    /** Reads a {@code thresholds} section; every key left out keeps its value from {@code defaults}. */
    static Thresholds bind(Section section, Thresholds defaults) {
        Thresholds thresholds = new Thresholds(
                section.duration("replicationLag", defaults.replicationLag()),
                section.byteSize("replicationLagBytes", defaults.replicationLagBytes()),
                section.duration("lagHold", defaults.lagHold()),
                section.duration("resolveHold", defaults.resolveHold()),
                section.duration("recoveryPointGrace", defaults.recoveryPointGrace()),
                section.integer("collectorSilenceFactor", defaults.collectorSilenceFactor(), 2, 100),
                section.duration("failoverCompletion", defaults.failoverCompletion()),
                section.duration("evidenceMaxAge", defaults.evidenceMaxAge()),
                section.integer("probeFailures", defaults.probeFailures(), 1, 100),
                section.duration("archiveHold", defaults.archiveHold()),
                section.byteSize("archiveBacklogBytes", defaults.archiveBacklogBytes()));
        if (thresholds.replicationLagBytes() <= 0) {
            section.problems().add(section.child("replicationLagBytes"), "must be more than 0");
        }
        if (thresholds.archiveBacklogBytes() <= 0) {
            section.problems().add(section.child("archiveBacklogBytes"), "must be more than 0");
        }
        section.finish();
        return thresholds;
    }
}
