package dev.drpilot.agent.failsafe;

import dev.drpilot.agent.PromotionPromise;
import dev.drpilot.config.AgentSettings;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Failsafe mode's access to the agent's own server, on a connection of its own (the postmaster watch's query must not
 * wait behind it): the WAL receiver a replica reads to answer, the heartbeat a primary writes before it asks. Each query
 * gets a quarter of the renew interval (at most the query timeout), so that an answer fits in the question's timeout,
 * half the renew interval.
 */
public final class FailsafeServer implements AutoCloseable {
    private final AgentSettings settings;
    private final LocalSql sql;
    private final Duration queryTimeout;

    public FailsafeServer(AgentSettings settings) {
        this.settings = settings;
        this.sql = new LocalSql(settings, "agent-failsafe-query");
        Duration quarter = settings.renewInterval().dividedBy(4);
        this.queryTimeout = quarter.compareTo(settings.queryTimeout()) < 0 ? quarter : settings.queryTimeout();
    }

    /** How long the primary's agent waits for all answers to one question. */
    public static Duration questionTimeout(AgentSettings settings) {
        return settings.renewInterval().dividedBy(2);
    }

    /** The replica's side: confirms a primary it streams from and heard from within the renew interval. */
    public FailsafeResponder responder(FailsafePeers peers, Supplier<Optional<LeaseSeen>> newestLease, PromotionPromise promise) {
        return new FailsafeResponder(peers, new WalReceiverReader(sql, queryTimeout)::read, newestLease, promise, settings.renewInterval());
    }

    /** The primary's side: a committed transaction its replicas receive at once (best effort). */
    public void heartbeat() throws InterruptedException {
        new WalHeartbeat(sql, queryTimeout).beat();
    }

    @Override
    public void close() {
        sql.close();
    }
}
