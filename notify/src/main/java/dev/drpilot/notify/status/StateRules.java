package dev.drpilot.notify.status;

import dev.drpilot.config.Component;
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
 * even while the detector's hold time has not run out yet (or no detector runs at all).
 */
final class StateRules {
    private StateRules() {
    }

    /** The state and the reasons for it, worst first. */
    record Verdict(ComponentState state, List<String> reasons) {
    }

    /** What is known about one component right now; empty lists and nulls are "no figures". */
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
        Optional<Duration> rpo = component.rpo();
        for (ReplicationObservation replica : in.replicas()) {
            String node = replica.getReplicaNode();
            Double lag = replica.getLagSeconds();
            if (lag != null && rpo.isPresent() && lag > rpo.get().toMillis() / 1000.0) {
                critical.add("lag of " + node + " over the RPO of " + Figures.target(rpo.get()));
            } else if (lag != null && lag > component.thresholds().replicationLag().toMillis() / 1000.0) {
                warning.add("lag of " + node + " over " + Figures.target(component.thresholds().replicationLag()));
            }
            Long bytes = replica.getLagBytes();
            if (bytes != null && bytes > component.thresholds().replicationLagBytes()) {
                warning.add("lag of " + node + " over " + Figures.bytes(component.thresholds().replicationLagBytes()));
            }
            if (!replica.getStreaming()) {
                warning.add(node + " not streaming" + (replica.getError() == null ? "" : ": " + replica.getError()));
            }
        }
        if (rpo.isPresent() && in.recoveryPoint().isPresent() && Duration.between(in.recoveryPoint().get(), now).compareTo(rpo.get()) > 0) {
            critical.add("recovery point older than the RPO of " + Figures.target(rpo.get()));
        }
        if (in.lastFailedBackup().isPresent() && (in.lastGoodBackup().isEmpty() || in.lastFailedBackup().get().isAfter(in.lastGoodBackup().get()))) {
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
