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
 * @param failsafe              node agents keep a primary cut off from Kafka running while every replica's agent
 *                              confirms directly that it still follows it (Patroni's failsafe_mode; docs/agent.md); the
 *                              actuator then promotes a node with an agent only once its agent acknowledged the intent
 * @param rejoin                after a failover or switchover, whether the old primary's agent is told at once to make
 *                              it a replica of the new primary ({@code auto}), or only by {@code drpilot rejoin}
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
        UnreachablePrimary unreachablePrimary,
        boolean failsafe,
        Rejoin rejoin) {

    public static final Duration DEFAULT_APPROVAL_VALIDITY = Duration.ofMinutes(15);
    public static final UnreachablePrimary DEFAULT_UNREACHABLE_PRIMARY = UnreachablePrimary.WHEN_PORT_CLOSED;
    public static final Rejoin DEFAULT_REJOIN = Rejoin.MANUAL;

    /** Without failsafe mode, rejoining by hand. */
    public FailoverSettings(Mode mode, Duration maxLagOnFailover, long maxLagBytesOnFailover, Duration cooldown, int quorum, int holdProbes,
                            String runbook, Duration approvalTimeout, Duration approvalValidity, UnreachablePrimary unreachablePrimary) {
        this(mode, maxLagOnFailover, maxLagBytesOnFailover, cooldown, quorum, holdProbes, runbook, approvalTimeout, approvalValidity,
                unreachablePrimary, false, DEFAULT_REJOIN);
    }

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

    /**
     * Who starts the rejoin of a replaced old primary (its agent runs it: pg_rewind, or a base backup when allowed).
     * {@code MANUAL}, the default: an operator, with {@code drpilot rejoin CLUSTER NODE}, after looking at what the old
     * primary took that no replica had. {@code AUTO}: the actuator asks the old primary's agent as the failover ends (an agent
     * whose host is down gets the request when it starts again).
     */
    public enum Rejoin { AUTO, MANUAL }
}
