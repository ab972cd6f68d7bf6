package dev.drpilot.config;

import java.time.Duration;

/**
 * How a cluster is failed over. The default mode is {@code off}: automatic failover is switched on
 * deliberately, per cluster.
 *
 * @param maxLagOnFailover      a replica further behind is never promoted (default: the component's RPO)
 * @param maxLagBytesOnFailover the same bound in bytes of WAL
 * @param quorum                vantages that must see the primary down
 * @param holdProbes            consecutive failed probes before the primary counts as down
 * @param approvalTimeout       in manual mode, how long a failover waits for an operator's approval before it is refused
 * @param approvalValidity      how long an operator's approval counts after it was given: an older one approves nothing
 */
public record FailoverSettings(
        Mode mode,
        Duration maxLagOnFailover,
        long maxLagBytesOnFailover,
        Duration cooldown,
        int quorum,
        int holdProbes,
        String runbook,
        Duration approvalTimeout,
        Duration approvalValidity) {

    public static final Duration DEFAULT_APPROVAL_VALIDITY = Duration.ofMinutes(15);

    /** With the default {@code approvalValidity}. */
    public FailoverSettings(Mode mode, Duration maxLagOnFailover, long maxLagBytesOnFailover, Duration cooldown, int quorum, int holdProbes,
                            String runbook, Duration approvalTimeout) {
        this(mode, maxLagOnFailover, maxLagBytesOnFailover, cooldown, quorum, holdProbes, runbook, approvalTimeout, DEFAULT_APPROVAL_VALIDITY);
    }

    public enum Mode { AUTO, DRY_RUN, MANUAL, OFF }
}
