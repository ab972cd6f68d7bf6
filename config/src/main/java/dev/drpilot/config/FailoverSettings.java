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
 * @param unreachablePrimary    when an old primary that does not answer may be promoted past without a hard fence
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
        Duration approvalValidity,
        UnreachablePrimary unreachablePrimary) {

    public static final Duration DEFAULT_APPROVAL_VALIDITY = Duration.ofMinutes(15);
    public static final UnreachablePrimary DEFAULT_UNREACHABLE_PRIMARY = UnreachablePrimary.WHEN_PORT_CLOSED;

    /** With the default {@code unreachablePrimary}. */
    public FailoverSettings(Mode mode, Duration maxLagOnFailover, long maxLagBytesOnFailover, Duration cooldown, int quorum, int holdProbes,
                            String runbook, Duration approvalTimeout, Duration approvalValidity) {
        this(mode, maxLagOnFailover, maxLagBytesOnFailover, cooldown, quorum, holdProbes, runbook, approvalTimeout, approvalValidity,
                DEFAULT_UNREACHABLE_PRIMARY);
    }

    /** With the default {@code approvalValidity}. */
    public FailoverSettings(Mode mode, Duration maxLagOnFailover, long maxLagBytesOnFailover, Duration cooldown, int quorum, int holdProbes,
                            String runbook, Duration approvalTimeout) {
        this(mode, maxLagOnFailover, maxLagBytesOnFailover, cooldown, quorum, holdProbes, runbook, approvalTimeout, DEFAULT_APPROVAL_VALIDITY);
    }

    public enum Mode { AUTO, DRY_RUN, MANUAL, OFF }

    /**
     * When the old primary does not answer and no hard fence (a demotion over SQL, {@code fence command},
     * {@code fence kubernetes}) succeeded, whether a replica may be promoted past it anyway.
     * <ul>
     *   <li>{@code REFUSE}: never; only a hard fence lets a promotion go ahead.</li>
     *   <li>{@code WHEN_PORT_CLOSED}: also when its host actively refuses the connection (nothing listens on its port: the
     *       server is not running); a silent host (timed out, no route) may be serving clients across a partition.</li>
     *   <li>{@code PROMOTE}: also when silent, availability over safety: a split brain for as long as the partition lasts,
     *       until the old primary is fenced on sight.</li>
     * </ul>
     */
    public enum UnreachablePrimary { REFUSE, WHEN_PORT_CLOSED, PROMOTE }
}
