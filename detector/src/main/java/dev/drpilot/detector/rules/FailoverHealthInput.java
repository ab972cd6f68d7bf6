package dev.drpilot.detector.rules;

import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.FailoverCommand;

/**
 * What the failover-health rule reads, both keyed by incident: the failover commands issued, and
 * the actuator's records of carrying them out. Each kind hands itself to the rule's handler for it.
 */
public sealed interface FailoverHealthInput permits FailoverHealthInput.Command, FailoverHealthInput.Action {
    void applyTo(FailoverHealthRule rule);

    record Command(FailoverCommand command) implements FailoverHealthInput {
        @Override
        public void applyTo(FailoverHealthRule rule) {
            rule.onCommand(command);
        }
    }

    record Action(ActionRecord action) implements FailoverHealthInput {
        @Override
        public void applyTo(FailoverHealthRule rule) {
            rule.onAction(action);
        }
    }
}
