package dev.drpilot.failover;

/**
 * Another actuator took the cluster over: it opened the cluster's transactional id after this one did, so Kafka refuses
 * this one's records. The runbook stops at once, acting no further and writing nothing more; the command belongs to the
 * actuator that owns its partition now.
 */
public final class FencedException extends AuditLog.AuditException {
    FencedException(String message, Throwable cause) {
        super(message, cause);
    }
}
