package dev.drpilot.notify.status;

import java.util.List;

/**
 * What the status page shows, at one instant: the JSON of {@code /api/status} and the source of the
 * server-rendered HTML alike. Figures come twice: raw (seconds, bytes, ISO-8601 instants) for
 * programs, and as {@code ...Text} for people, formatted here once so that the page rendered by the
 * server and the page re-rendered by the browser read the same.
 */
public record StatusSnapshot(String generatedAt, String generatedText, List<ComponentRow> components, List<OpenAlert> alerts,
                             List<Failover> failovers, List<ClusterTopology> topology) {

    /** A cluster's live topology: its nodes as the evidence shows them, who takes writes, and what is wrong with that. */
    public record ClusterTopology(String cluster, List<String> primaries, String warning, List<NodeRow> nodes) {
    }

    /**
     * One node: its live role ({@code primary}, {@code replica}, {@code fenced}, {@code rejoining}, {@code down}, {@code unknown}),
     * timeline, upstream, since when, its lag as a replica, and the configured role only as a note where it differs.
     */
    public record NodeRow(String node, String role, Long timeline, String upstream, String since, String sinceText, Double lagSeconds,
                          Long lagBytes, String lagText, String configuredRole, String note, String basis) {
    }

    public record ComponentRow(String name, String kind, String cluster, List<String> nodes, long rtoSeconds, String rtoText,
                               Long rpoSeconds, String rpoText, ComponentState state, List<String> reasons, List<ReplicaRow> replicas,
                               Double recoveryPointAgeSeconds, String recoveryPointAgeText, String lastGoodBackupAt, String lastGoodBackupText,
                               String lastFailedBackupAt, String lastFailedBackupText) {
    }

    /** The newest observation of one replica; {@code lagText} is what the page prints. */
    public record ReplicaRow(String cluster, String node, Double lagSeconds, Long lagBytes, String lagText, String observedAt) {
    }

    /** {@code silencedBy}: what holds it back from its receivers (a silence, a maintenance window, an inhibition), or null. */
    public record OpenAlert(String fingerprint, String rule, String component, String severity, String summary, String since, String sinceText,
                            String runbookUrl, String silencedBy) {
    }

    /** One incident's failover: how it ended (outcome {@code UNDER WAY} until its summary is written) and its steps in order. */
    public record Failover(String incident, String cluster, String startedAt, String startedText, String outcome, String oldPrimary,
                           String newPrimary, Double recoverySeconds, String recoveryText, String detail, List<Step> steps) {
    }

    public record Step(String step, String name, String status, Long durationMillis, String durationText, String detail) {
    }
}
