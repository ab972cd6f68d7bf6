package dev.drpilot.agent;

import dev.drpilot.config.AgentSettings;
import dev.drpilot.config.AgentSettings.FenceMethod;
import dev.drpilot.config.ConfigNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.BooleanSupplier;
import java.util.concurrent.TimeUnit;

/**
 * Makes the local PostgreSQL stop taking writes, for sure and fast: {@code standby.signal} is written first (so that
 * whoever starts the server next — the agent, a person, systemd, the kubelet — starts a standby), then {@code pg_ctl stop -m
 * immediate} ends every session at once without a checkpoint (a fast shutdown waits for one, which a big
 * shared_buffers makes long); if that has not finished within the stop budget (a frozen postmaster handles no
 * signal but KILL) the postmaster and its processes are killed. With {@link FenceMethod#DEMOTE} the server is then
 * started again as a standby: reads come back, writes cannot (no session can leave recovery; only a promote can).
 */
final class Fence {
    private static final Logger log = LoggerFactory.getLogger(Fence.class);
    static final String STANDBY_SIGNAL = "standby.signal";
    private static final Duration KILL_POLL = Duration.ofMillis(10);
    private static final Duration RESTART_WITHIN = Duration.ofSeconds(30);
    private static final Duration RESTART_PAUSE = Duration.ofMillis(500);

    private final AgentSettings settings;
    private final PgCtl pgCtl;
    private final Postmaster postmaster;
    private final NanoClock clock;

    /**
     * How it went: whether writes are over and when (on the agent's monotonic clock), how long the stop and the whole
     * fence took, and what happened.
     */
    record Outcome(boolean writesStopped, long stoppedAt, long stopMillis, long totalMillis, Map<String, String> details) {
        Outcome {
            details = Map.copyOf(details);
        }
    }

    Fence(AgentSettings settings, PgCtl pgCtl, Postmaster postmaster, NanoClock clock) {
        this.settings = settings;
        this.pgCtl = pgCtl;
        this.postmaster = postmaster;
        this.clock = clock;
    }

    /**
     * The lease's fence, with {@code standby.signal} whatever the method: whoever starts the server next (the agent, systemd,
     * the kubelet restarting its container, a person) starts a standby, never the old primary. One fence at a time: the
     * FENCE command and the fence guard share this, and whoever waited for the other must look again whether it still has
     * to ({@link #fenceIf}).
     */
    synchronized Outcome fence() {
        return fence(true);
    }

    /** Fences only if {@code stillNeeded} says so once no other fence is under way. */
    synchronized Optional<Outcome> fenceIf(BooleanSupplier stillNeeded) {
        return stillNeeded.getAsBoolean() ? Optional.of(fence()) : Optional.empty();
    }

    /** @param standbySignal write {@code standby.signal} first (a replaced node always gets it: started again, it is a standby) */
    synchronized Outcome fence(boolean standbySignal) {
        long start = clock.nanoTime();
        Map<String, String> details = new LinkedHashMap<>();
        details.put("method", ConfigNames.of(settings.fence()));
        if (standbySignal) {
            try {
                writeStandbySignal();
            } catch (IOException e) {
                // The stop below still ends the writes; only a later start would come up as a primary.
                details.put("standbySignal", "not written: " + e.getMessage());
                log.error("fence: cannot write {} in {}: {}", STANDBY_SIGNAL, settings.dataDir(), e.toString());
            }
        }
        boolean stopped = stop(details);
        long stoppedAt = clock.nanoTime();
        long stopMillis = TimeUnit.NANOSECONDS.toMillis(stoppedAt - start);
        details.put("stopMillis", Long.toString(stopMillis));
        if (stopped && settings.fence() == FenceMethod.DEMOTE) {
            startAsStandby(details);
        }
        long total = millisSince(start);
        log.warn("fence: writes {} after {} ms (whole fence {} ms): {}", stopped ? "stopped" : "NOT stopped", stopMillis, total, details);
        return new Outcome(stopped, stoppedAt, stopMillis, total, details);
    }

    /**
     * Ends the writes at once and leaves the server stopped, without {@code standby.signal}: for a rejoin, whose pg_rewind
     * first recovers the crashed server in single-user mode, which refuses to run beside a standby.signal.
     */
    synchronized Outcome stopForRejoin() {
        long start = clock.nanoTime();
        Map<String, String> details = new LinkedHashMap<>();
        boolean stopped = stop(details);
        long stoppedAt = clock.nanoTime();
        details.put("stopMillis", Long.toString(TimeUnit.NANOSECONDS.toMillis(stoppedAt - start)));
        return new Outcome(stopped, stoppedAt, TimeUnit.NANOSECONDS.toMillis(stoppedAt - start), millisSince(start), details);
    }

    private boolean stop(Map<String, String> details) {
        if (postmaster.look().process() == Postmaster.Process.STOPPED) {
            // A frozen postmaster would act on pg_ctl's SIGQUIT only once thawed; KILL needs no cooperation.
            details.put("stop", "postmaster frozen: killed it and its processes");
            return killAll();
        }
        try {
            // Half the budget for pg_ctl, so that killing the processes still fits in the other half.
            pgCtl.stop("immediate", settings.stopBudget().dividedBy(2));
            details.put("stop", "pg_ctl -m immediate");
            return true;
        } catch (IOException e) {
            details.put("stop", "pg_ctl -m immediate failed (" + e.getMessage() + "), killed the postmaster and its processes");
            log.error("fence: pg_ctl stop failed, killing the server's processes: {}", e.toString());
            return killAll();
        }
    }

    /** SIGKILL to the postmaster and every process below it: a backend left alive could still commit. */
    private boolean killAll() {
        OptionalLong pid = postmaster.pid();
        if (pid.isEmpty()) {
            return postmaster.look().down();
        }
        for (ProcessHandle process : postmaster.tree(pid.getAsLong())) {
            process.destroyForcibly();
        }
        // Gone, or a zombie (killed, waiting for its parent to reap it): Postmaster tells both from alive. Half the
        // budget is left for this; the loop is what makes "writes stopped" a fact rather than a hope.
        long deadline = clock.nanoTime() + settings.stopBudget().dividedBy(2).toNanos();
        while (!postmaster.look().down()) {
            if (clock.nanoTime() - deadline >= 0) {
                log.error("fence: postmaster {} still there {} ms after SIGKILL", pid.getAsLong(), settings.stopBudget().dividedBy(2).toMillis());
                return false;
            }
            try {
                Thread.sleep(KILL_POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return postmaster.look().down();
            }
        }
        return true;
    }

    /**
     * Starts the stopped server again; with standby.signal in place it comes up as a standby. The writes ended with the
     * stop, so this is not raced: it is tried again for a while, because a killed postmaster that is still a zombie
     * (not yet reaped) holds its socket's lock file in the server's eyes, and the start refuses until it is reaped.
     */
    private void startAsStandby(Map<String, String> details) {
        long deadline = clock.nanoTime() + RESTART_WITHIN.toNanos();
        IOException last = null;
        int attempts = 0;
        while (clock.nanoTime() - deadline < 0) {
            attempts++;
            try {
                clearStalePidFile();
                pgCtl.startAsBefore(settings.dataDir().resolve("drpilot-agent-start.log").toString(), Duration.ofSeconds(60));
                details.put("restarted", attempts == 1 ? "as a standby" : "as a standby, attempt " + attempts);
                return;
            } catch (IOException e) {
                last = e;
                try {
                    Thread.sleep(RESTART_PAUSE.toMillis());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        details.put("restarted", "failed after " + attempts + " attempts: " + (last == null ? "interrupted" : last.getMessage()));
        log.error("fence: the server stopped but did not start again as a standby: {}", String.valueOf(last));
    }

    /**
     * A killed postmaster stays a zombie until its parent reaps it, and pg_ctl takes a zombie's pid for a running
     * server (it would wait for it to shut down, and fail). The process is gone for every purpose, so its pid file
     * is removed, as a restart after a crash would find it.
     */
    private void clearStalePidFile() throws IOException {
        if (postmaster.look().process() == Postmaster.Process.GONE) {
            Files.deleteIfExists(settings.dataDir().resolve("postmaster.pid"));
        }
    }

    void writeStandbySignal() throws IOException {
        Path signal = settings.dataDir().resolve(STANDBY_SIGNAL);
        if (!Files.exists(signal)) {
            Files.createFile(signal);
        }
        // Owned like the data directory, so the server can remove it when it is promoted one day.
        UserPrincipal owner = Files.getOwner(settings.dataDir());
        if (!owner.equals(Files.getOwner(signal))) {
            Files.setOwner(signal, owner);
        }
    }

    private long millisSince(long start) {
        return TimeUnit.NANOSECONDS.toMillis(clock.nanoTime() - start);
    }
}
