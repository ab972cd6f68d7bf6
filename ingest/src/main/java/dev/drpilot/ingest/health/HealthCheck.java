package dev.drpilot.ingest.health;

/**
 * One kind of health check. An implementation may block up to about its timeout; the
 * {@link ProbeScheduler} enforces the deadline regardless, so a hung target cannot stall anything.
 */
interface HealthCheck {
    /** host:port, URL or DNS name, as shown in observations. */
    String target();

    /** Runs the check; a failure is an outcome, not an exception. */
    ProbeOutcome check() throws Exception;
}
