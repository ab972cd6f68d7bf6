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
 */
public record FailoverSettings(
        Mode mode,
        Duration maxLagOnFailover,
        long maxLagBytesOnFailover,
        Duration cooldown,
        int quorum,
        int holdProbes,
        String runbook,
        Duration approvalTimeout) {

    public enum Mode { AUTO, DRY_RUN, MANUAL, OFF }
}
