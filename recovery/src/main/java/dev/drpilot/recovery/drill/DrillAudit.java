package dev.drpilot.recovery.drill;

import dev.drpilot.events.ActionRecord;

/** Where a drill's start, steps and outcome go: {@code drpilot.actions}, acknowledged. */
public interface DrillAudit {
    /** @throws Exception the record was not acknowledged */
    void write(ActionRecord record) throws Exception;
}
