package dev.drpilot.detector.rules;

import dev.drpilot.events.Alert;
import dev.drpilot.events.FailoverCommand;

import java.util.List;

/**
 * What the primary-down rule hands on, one record at a time: an alert (for the alerts topic), a
 * failover command (for the actuator) or an incident (for the RTO rule). Each kind answers for
 * itself which stream it belongs to, so the topology routes them by type without inspecting them.
 * The lists hold the record itself or nothing: they feed {@code flatMapValues}.
 */
public sealed interface PrimaryDownOutput permits PrimaryDownOutput.Alerted, PrimaryDownOutput.Commanded, IncidentEvent {
    default List<Alert> alerts() {
        return List.of();
    }

    default List<FailoverCommand> commands() {
        return List.of();
    }

    default List<IncidentEvent> incidents() {
        return List.of();
    }

    record Alerted(Alert alert) implements PrimaryDownOutput {
        @Override
        public List<Alert> alerts() {
            return List.of(alert);
        }
    }

    record Commanded(FailoverCommand command) implements PrimaryDownOutput {
        @Override
        public List<FailoverCommand> commands() {
            return List.of(command);
        }
    }
}
