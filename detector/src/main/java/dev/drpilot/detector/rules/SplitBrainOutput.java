package dev.drpilot.detector.rules;

import dev.drpilot.events.Alert;
import dev.drpilot.events.FailoverCommand;

import java.util.List;

/**
 * What the split-brain rule hands on: an alert, or a command to fence a replaced old primary seen writable again (for the
 * actuator, on {@code drpilot.failover.commands}). The lists hold the record itself or nothing: they feed {@code flatMapValues}.
 */
public sealed interface SplitBrainOutput permits SplitBrainOutput.Alerted, SplitBrainOutput.Fence {
    default List<Alert> alerts() {
        return List.of();
    }

    default List<FailoverCommand> commands() {
        return List.of();
    }

    record Alerted(Alert alert) implements SplitBrainOutput {
        @Override
        public List<Alert> alerts() {
            return List.of(alert);
        }
    }

    record Fence(FailoverCommand command) implements SplitBrainOutput {
        @Override
        public List<FailoverCommand> commands() {
            return List.of(command);
        }
    }
}
