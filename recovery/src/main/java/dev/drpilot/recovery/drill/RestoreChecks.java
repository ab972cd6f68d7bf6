package dev.drpilot.recovery.drill;

import dev.drpilot.events.RestoreCheck;

/** Runs a component's restore check now and publishes its outcome on {@code drpilot.recovery.checks}. */
public interface RestoreChecks {
    RestoreCheck run(String component) throws Exception;
}
