package dev.drpilot.agent.command;

import dev.drpilot.agent.Lease;

import java.io.IOException;
import java.util.Map;
import java.util.OptionalLong;

/** The agent's own server, as a command handler needs it: what it is now, and stopping it. Implemented by the agent. */
public interface LocalPostgres {
    /** What the server is now, with its timeline when it answered with one. */
    record Seen(Lease.Role role, OptionalLong timeline) {
    }

    Seen look();

    /**
     * Ends its writes at once: {@code pg_ctl -m immediate}, or SIGKILL to it and its processes when that does not end it in
     * time (a frozen postmaster). Not started again. What was done, as attributes.
     *
     * @throws IOException the server could not be stopped: it may still take writes
     */
    Map<String, String> stopNow() throws IOException;

    /** A fast shutdown (a standby's: it ends cleanly, so a rewind needs no crash recovery first). */
    void stopCleanly() throws IOException;

    /** While true, the agent does not begin a lease for its node, whatever the server says it is. */
    void withholdLease(boolean withhold);
}
