package dev.drpilot.agent;

import dev.drpilot.agent.command.CommandHandler;
import dev.drpilot.config.AgentSettings;
import dev.drpilot.config.AgentSettings.FenceMethod;
import dev.drpilot.events.LeaseState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Stops the local PostgreSQL taking writes because someone else said so — the failover actuator's FENCE command, or the
 * agent itself on finding its node replaced ({@link Replacement}) — and confirms it: the postmaster gone, or (with
 * {@code fence: demote}) the server answering in recovery. Always with {@code standby.signal} first, whatever the
 * lease's fence method: a node that was replaced is a standby whoever starts it next. A held lease ends with it
 * (FENCING, then FENCED: nothing renews it), and SELF_FENCED says so on the lease topic.
 */
final class CommandedFence {
    private static final Logger log = LoggerFactory.getLogger(CommandedFence.class);

    private final AgentSettings settings;
    private final Fence fence;
    private final Postmaster postmaster;
    private final LocalServer server;
    private final Lease lease;
    private final LeaseKeeper keeper;

    CommandedFence(AgentSettings settings, Fence fence, Postmaster postmaster, LocalServer server, Lease lease, LeaseKeeper keeper) {
        this.settings = settings;
        this.fence = fence;
        this.postmaster = postmaster;
        this.server = server;
        this.lease = lease;
        this.keeper = keeper;
    }

    CommandHandler.Reply fence(String why) {
        // The fence's own lock: the fence guard does not fence in between, and looks again afterwards (Fence#fenceIf).
        synchronized (fence) {
            if (postmaster.look().down()) {
                try {
                    fence.writeStandbySignal();
                } catch (IOException e) {
                    return CommandHandler.Reply.failed("not running, but standby.signal could not be written (" + e.getMessage()
                            + "): started again it would be a primary", Map.of("running", "false"));
                }
                log.warn("fence ({}): the server is not running; standby.signal written", why);
                return CommandHandler.Reply.done("not running; will start as a standby (standby.signal written)",
                        Map.of("fenced", "agent-stopped", "running", "false"));
            }
            boolean held = lease.fencing();
            log.warn("fence ({}): stopping the local server{}", why, held ? " and ending its lease" : "");
            Fence.Outcome outcome = fence.fence(true);
            Map<String, String> attributes = new LinkedHashMap<>(outcome.details());
            attributes.put("stopMillis", Long.toString(outcome.stopMillis()));
            attributes.put("totalMillis", Long.toString(outcome.totalMillis()));
            if (!outcome.writesStopped()) {
                return CommandHandler.Reply.failed("the server did not stop (" + outcome.details() + "): it may still take writes", attributes);
            }
            if (held) {
                lease.fenced();
                Map<String, String> details = new LinkedHashMap<>(attributes);
                details.put("reason", why);
                keeper.publishState(LeaseState.SELF_FENCED, details);
            }
            String confirmed = confirm();
            if (confirmed == null) {
                return CommandHandler.Reply.failed("stopped, but after the restart as a standby it does not answer in recovery", attributes);
            }
            boolean demoted = settings.fence() == FenceMethod.DEMOTE && !postmaster.look().down();
            attributes.put("fenced", demoted ? "agent-demoted" : "agent-stopped");
            return CommandHandler.Reply.done("stopped in " + outcome.stopMillis() + " ms (pg_ctl -m immediate, standby.signal written): "
                    + confirmed, attributes);
        }
    }

    /** How the stop was confirmed; null when it was not. */
    private String confirm() {
        if (postmaster.look().down()) {
            return "postmaster gone" + (settings.fence() == FenceMethod.DEMOTE ? " (not started again)" : "");
        }
        LocalAnswer answer = server.ask();
        return answer.answered() && answer.role() == Lease.Role.STANDBY ? "started again as a standby, answering in recovery" : null;
    }
}
