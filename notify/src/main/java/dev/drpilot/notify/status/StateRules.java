package dev.drpilot.notify.status;

import dev.drpilot.config.BackupOutcomes;
import dev.drpilot.config.Component;
import dev.drpilot.config.ComponentLimits;
import dev.drpilot.config.Thresholds;
import dev.drpilot.events.Alert;
import dev.drpilot.events.ReplicationObservation;
import dev.drpilot.events.Severity;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A component's state from its figures and its open alerts. The alerts are the detector's verdict
 * and weigh first; the figures are checked here as well so that the page shows a breach of the RPO
 * even while the detector's hold time has not run out yet (or no detector runs at all). The
 * figures are compared as the detector compares them ({@link ComponentLimits},
 * {@link BackupOutcomes}), without its holds: the page shows the state at this instant.
 */
final class StateRules {
    private StateRules() {
    }

    /** The state and the reasons for it, worst first. */
    record Verdict(ComponentState state, List<String> reasons) {
    }

    /**
     * What is known about one component right now; empty lists and nulls are "no figures". The
     * backup times are as {@link BackupOutcomes} counts them.
     */
    record Inputs(List<ReplicationObservation> replicas, Optional<Instant> recoveryPoint, Optional<Instant> lastGoodBackup,
                  Optional<Instant> lastFailedBackup, List<Alert> openAlerts) {
        boolean empty() {
            return replicas.isEmpty() && recoveryPoint.isEmpty() && lastGoodBackup.isEmpty() && lastFailedBackup.isEmpty() && openAlerts.isEmpty();
        }
    }

    static Verdict evaluate(Component component, Inputs in, Instant now) {
        if (in.empty()) {
            return new Verdict(ComponentState.UNKNOWN, List.of("no figures yet"));
        }
        List<String> critical = new ArrayList<>();
        List<String> warning = new ArrayList<>();
        for (Alert alert : in.openAlerts()) {
            String text = "alert " + alert.getRule() + " firing";
            if (alert.getSeverity() == Severity.CRITICAL) {
                critical.add(text + " (critical)");
            } else if (alert.getSeverity() == Severity.WARNING) {
                warning.add(text + " (warning)");
            }
        }
        ComponentLimits limits = ComponentLimits.of(component);
        Thresholds thresholds = limits.thresholds();
        Optional<Duration> rpo = limits.rpo();
        for (ReplicationObservation replica : in.replicas()) {
            String node = replica.getReplicaNode();
            Double lag = replica.getLagSeconds();
            if (lag != null && limits.lagOverRpo(lag)) {
                critical.add("lag of " + node + " over the RPO of " + Figures.target(rpo.get()));
            } else if (lag != null && limits.lagSecondsOver(lag)) {
                warning.add("lag of " + node + " over " + Figures.target(thresholds.replicationLag()));
            }
            Long bytes = replica.getLagBytes();
            if (bytes != null && limits.lagBytesOver(bytes)) {
                warning.add("lag of " + node + " over " + Figures.bytes(thresholds.replicationLagBytes()));
            }
            if (!replica.getStreaming()) {
                warning.add(node + " not streaming" + (replica.getError() == null ? "" : ": " + replica.getError()));
            }
        }
        if (in.recoveryPoint().isPresent() && limits.recoveryPointOverRpo(in.recoveryPoint().get(), now)) {
            critical.add("recovery point older than the RPO of " + Figures.target(rpo.get()));
        }
        if (BackupOutcomes.lastFailed(in.lastFailedBackup(), in.lastGoodBackup())) {
            warning.add("last backup failed");
        }
        List<String> reasons = new ArrayList<>(critical);
        reasons.addAll(warning);
        ComponentState state = !critical.isEmpty() ? ComponentState.CRITICAL : !warning.isEmpty() ? ComponentState.WARNING : ComponentState.OK;
        return new Verdict(state, reasons.stream().distinct().toList());
    }

    static String severity(Alert alert) {
        return alert.getSeverity().name().toLowerCase(Locale.ROOT);
    }
}
