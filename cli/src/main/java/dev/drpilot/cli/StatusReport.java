package dev.drpilot.cli;

import dev.drpilot.config.DrillSettings;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.notify.metrics.DrillRuns;
import dev.drpilot.notify.status.Figures;
import dev.drpilot.notify.status.StatusSnapshot;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import dev.drpilot.events.Silence;
import dev.drpilot.notify.silence.Silences;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What {@code drpilot status} prints, as {@code --output json} writes it and as the table renders it: per cluster its nodes
 * (live role, timeline, upstream, lag), per component its RTO/RPO targets beside the current figures (recovery-point age,
 * last good backup, the newest drill's measured RTO), the open alerts, the failover pauses and the silences in force and
 * the failovers waiting for an operator's approval. Figures come raw (seconds, ISO-8601) for programs and as text for people.
 */
record StatusReport(String generatedAt, List<StatusSnapshot.ClusterTopology> clusters, List<ComponentStatus> components,
                    List<StatusSnapshot.OpenAlert> alerts, List<PauseRow> pauses, List<ApprovalRow> approvalsPending,
                    List<SilenceRow> silences) {
    private static final String NONE = "-";

    record ComponentStatus(String name, String kind, String cluster, String state, List<String> reasons, long rtoSeconds, String rto,
                           Long rpoSeconds, String rpo, Double recoveryPointAgeSeconds, String recoveryPointAge, String lastGoodBackupAt,
                           String lastGoodBackup, String lastFailedBackupAt, String lastFailedBackup, DrillFigures drill) {
    }

    /** The newest run of a drill of the component: what its RTO and RPO measured. */
    record DrillFigures(String drill, String outcome, String finishedAt, Double rtoSeconds, String rto, Double rpoSeconds, String rpo) {
    }

    record PauseRow(String cluster, String since, String sinceText, String by, String detail) {
    }

    record ApprovalRow(String incident, String cluster, String since, String sinceText, String detail) {
    }

    /** A silence in force ({@code drpilot silence add}): what it matches and until when. */
    record SilenceRow(String id, String matches, String endsAt, String endsText, String createdBy, String comment) {
    }

    /** The report of one read, for every cluster or only {@code cluster} (its component, that component's alerts). */
    static StatusReport of(DrpilotConfig config, StatusReader.Result read, Optional<String> cluster, Instant now) {
        return of(config, read, List.of(), cluster, now);
    }

    /**
     * As above, with the silences on the topic: those in force now are shown, for one cluster those that may match its
     * alerts (a matcher naming the cluster, or none naming any).
     */
    static StatusReport of(DrpilotConfig config, StatusReader.Result read, List<Silence> silences, Optional<String> cluster, Instant now) {
        StatusSnapshot snapshot = read.snapshot();
        List<StatusSnapshot.ClusterTopology> clusters = snapshot.topology().stream()
                .filter(found -> cluster.isEmpty() || cluster.get().equals(found.cluster())).toList();
        List<StatusSnapshot.ComponentRow> rows = snapshot.components().stream()
                .filter(row -> cluster.isEmpty() || cluster.get().equals(row.cluster())).toList();
        Set<String> components = rows.stream().map(StatusSnapshot.ComponentRow::name).collect(Collectors.toSet());
        List<ComponentStatus> statuses = rows.stream().map(row -> component(row, drill(config, read.drills(), row.name()))).toList();
        List<StatusSnapshot.OpenAlert> alerts = snapshot.alerts().stream()
                .filter(alert -> cluster.isEmpty() || components.contains(alert.component())).toList();
        List<PauseRow> pauses = read.pauses().stream().filter(pause -> cluster.isEmpty() || cluster.get().equals(pause.cluster()))
                .sorted(Comparator.comparing(StatusReader.Pause::cluster))
                .map(pause -> new PauseRow(pause.cluster(), text(pause.since()), pause.since() == null ? null : Figures.timeAndAge(pause.since(), now),
                        pause.by(), pause.detail())).toList();
        List<ApprovalRow> approvals = read.approvals().stream().filter(wait -> cluster.isEmpty() || cluster.get().equals(wait.cluster()))
                .map(wait -> new ApprovalRow(wait.incident(), wait.cluster(), text(wait.since()),
                        wait.since() == null ? null : Figures.timeAndAge(wait.since(), now), wait.detail())).toList();
        List<SilenceRow> inForce = silences.stream().filter(silence -> Silences.isActive(silence, now))
                .filter(silence -> cluster.isEmpty() || !silence.getMatchers().containsKey("cluster")
                        || silence.getMatchers().get("cluster").contains(cluster.get()))
                .sorted(Comparator.comparing(Silence::getEndsAt))
                .map(silence -> new SilenceRow(silence.getId(), Silences.matchers(silence).toString(), silence.getEndsAt().toString(),
                        Figures.time(silence.getEndsAt()) + " (in " + Figures.duration(Duration.between(now, silence.getEndsAt())) + ")",
                        silence.getCreatedBy(), silence.getComment())).toList();
        return new StatusReport(now.toString(), clusters, statuses, alerts, pauses, approvals, inForce);
    }

    private static ComponentStatus component(StatusSnapshot.ComponentRow row, Optional<DrillFigures> drill) {
        return new ComponentStatus(row.name(), row.kind(), row.cluster(), row.state().label(), row.reasons(), row.rtoSeconds(), row.rtoText(),
                row.rpoSeconds(), row.rpoText(), row.recoveryPointAgeSeconds(), row.recoveryPointAgeText(), row.lastGoodBackupAt(),
                row.lastGoodBackupText(), row.lastFailedBackupAt(), row.lastFailedBackupText(), drill.orElse(null));
    }

    /** The newest run, among the component's drills, that measured an RTO (a restore check measures none). */
    private static Optional<DrillFigures> drill(DrpilotConfig config, Map<String, DrillRuns.Run> runs, String component) {
        return config.drills().plans().stream().filter(plan -> plan.component().equals(component)).map(DrillSettings.Drill::name)
                .filter(runs::containsKey).map(name -> Map.entry(name, runs.get(name)))
                .filter(entry -> entry.getValue().rto().isPresent())
                .max(Comparator.comparing(entry -> entry.getValue().finishedAt()))
                .map(entry -> {
                    DrillRuns.Run run = entry.getValue();
                    return new DrillFigures(entry.getKey(), run.outcome(), text(run.finishedAt()), run.rto().map(StatusReport::seconds).orElse(null),
                            run.rto().map(Figures::duration).orElse(null), run.rpo().map(StatusReport::seconds).orElse(null),
                            run.rpo().map(Figures::duration).orElse(null));
                });
    }

    private static Double seconds(Duration duration) {
        return duration.toMillis() / 1000.0;
    }

    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    /** The terminal view: sections one under the other, columns aligned, an empty section said in words. */
    String table() {
        StringBuilder text = new StringBuilder();
        List<List<String>> nodes = new ArrayList<>();
        nodes.add(List.of("CLUSTER", "NODE", "ROLE", "TIMELINE", "UPSTREAM", "LAG", "SINCE", "NOTE"));
        for (StatusSnapshot.ClusterTopology found : clusters) {
            for (StatusSnapshot.NodeRow node : found.nodes()) {
                nodes.add(List.of(found.cluster(), node.node(), node.role(), node.timeline() == null ? NONE : node.timeline().toString(),
                        orNone(node.upstream()), orNone(node.lagText()), orNone(node.sinceText()), node.note() == null ? "" : node.note()));
            }
        }
        columns(text, nodes);
        clusters.stream().filter(found -> found.warning() != null)
                .forEach(found -> text.append("WARNING ").append(found.cluster()).append(": ").append(found.warning()).append('\n'));

        text.append('\n');
        List<List<String>> targets = new ArrayList<>();
        targets.add(List.of("COMPONENT", "KIND", "STATE", "RTO", "DRILL RTO", "RPO", "RECOVERY POINT AGE", "LAST GOOD BACKUP"));
        for (ComponentStatus component : components) {
            targets.add(List.of(component.name(), component.kind(), component.state(), component.rto(),
                    component.drill() == null || component.drill().rto() == null ? NONE : component.drill().rto(),
                    orNone(component.rpo()), orNone(component.recoveryPointAge()), orNone(component.lastGoodBackup())));
        }
        columns(text, targets);
        components.forEach(component -> component.reasons().forEach(reason -> text.append("  ").append(component.name()).append(": ")
                .append(reason).append('\n')));

        text.append('\n');
        if (alerts.isEmpty()) {
            text.append("No open alerts.\n");
        } else {
            List<List<String>> rows = new ArrayList<>();
            rows.add(List.of("ALERT", "SEVERITY", "COMPONENT", "SINCE", "SUMMARY"));
            alerts.forEach(alert -> rows.add(List.of(alert.rule(), alert.severity(), orNone(alert.component()), alert.sinceText(),
                    alert.summary() == null ? "" : alert.summary())));
            columns(text, rows);
        }

        text.append('\n');
        if (pauses.isEmpty()) {
            text.append("No failover paused.\n");
        } else {
            List<List<String>> rows = new ArrayList<>();
            rows.add(List.of("PAUSED CLUSTER", "SINCE", "BY", "DETAIL"));
            pauses.forEach(pause -> rows.add(List.of(pause.cluster(), orNone(pause.sinceText()), orNone(pause.by()),
                    pause.detail() == null ? "" : pause.detail())));
            columns(text, rows);
        }
        text.append('\n');
        if (silences.isEmpty()) {
            text.append("No silences in force.\n");
        } else {
            List<List<String>> rows = new ArrayList<>();
            rows.add(List.of("SILENCE", "MATCHES", "ENDS", "BY", "COMMENT"));
            silences.forEach(silence -> rows.add(List.of(silence.id(), silence.matches(), silence.endsText(), orNone(silence.createdBy()),
                    silence.comment() == null ? "" : silence.comment())));
            columns(text, rows);
        }
        if (!approvalsPending.isEmpty()) {
            text.append('\n');
            List<List<String>> rows = new ArrayList<>();
            rows.add(List.of("AWAITING APPROVAL", "CLUSTER", "SINCE", "APPROVE WITH"));
            approvalsPending.forEach(wait -> rows.add(List.of(wait.incident(), orNone(wait.cluster()), orNone(wait.sinceText()),
                    "drpilot failover approve " + wait.incident())));
            columns(text, rows);
        }
        return text.toString();
    }

    private static void columns(StringBuilder text, List<List<String>> rows) {
        int[] widths = new int[rows.get(0).size()];
        rows.forEach(row -> {
            for (int column = 0; column < row.size(); column++) {
                widths[column] = Math.max(widths[column], row.get(column).length());
            }
        });
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int column = 0; column < row.size(); column++) {
                line.append(column == row.size() - 1 ? row.get(column) : String.format("%-" + widths[column] + "s  ", row.get(column)));
            }
            text.append(line.toString().stripTrailing()).append('\n');
        }
    }

    private static String orNone(String text) {
        return text == null ? NONE : text;
    }
}
