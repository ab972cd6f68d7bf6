package dev.drpilot.agent;

import dev.drpilot.agent.command.LocalPostgres;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The agent's server for its command handlers: looked at as the postmaster watch looks at it, stopped with the fence's
 * stop, and a switch that keeps the lease from being begun while a handler works on the server.
 */
final class LocalControl implements LocalPostgres {
    private static final Duration CLEAN_STOP = Duration.ofSeconds(60);

    private final Postmaster postmaster;
    private final LocalServer server;
    private final Fence fence;
    private final PgCtl pgCtl;
    private final AtomicBoolean leaseWithheld = new AtomicBoolean();

    LocalControl(Postmaster postmaster, LocalServer server, Fence fence, PgCtl pgCtl) {
        this.postmaster = postmaster;
        this.server = server;
        this.fence = fence;
        this.pgCtl = pgCtl;
    }

    @Override
    public Seen look() {
        Postmaster.Seen seen = postmaster.look();
        LocalAnswer answer = server.ask();
        // As the watch judges it: no postmaster and no answer is down; a pid file caught half-written is not.
        Lease.Role role = LocalVerdict.of(seen, answer) == LocalVerdict.DOWN && !answer.answered() ? Lease.Role.DOWN : answer.role();
        return new Seen(role, answer.timeline());
    }

    @Override
    public Map<String, String> stopNow() throws IOException {
        Fence.Outcome outcome = fence.stopForRejoin();
        if (!outcome.writesStopped()) {
            throw new IOException("the local server did not stop: " + outcome.details());
        }
        return outcome.details();
    }

    @Override
    public void stopCleanly() throws IOException {
        pgCtl.stop("fast", CLEAN_STOP);
    }

    @Override
    public void withholdLease(boolean withhold) {
        leaseWithheld.set(withhold);
    }

    boolean leaseWithheld() {
        return leaseWithheld.get();
    }
}
