package dev.drpilot.failover;

import dev.drpilot.events.ActionRecord;

/** Where a failover's records go: written and acknowledged when {@link #write} returns, or an exception says they are not. */
@FunctionalInterface
public interface ActionWriter {
    void write(ActionRecord record) throws AuditLog.AuditException;
}
