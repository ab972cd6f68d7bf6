package dev.drpilot.failover.steps;

import dev.drpilot.config.NodeConfig;
import dev.drpilot.config.PostgresRefusal;
import dev.drpilot.failover.FailoverContext;
import dev.drpilot.failover.FailoverStep;
import dev.drpilot.failover.StepFailedException;
import dev.drpilot.failover.StepOutcome;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * {@code fence} with {@code method: stop}: make sure the old primary takes no more writes. If it answers, it is demoted
 * ({@link PostgresDemotion}: {@code standby.signal} and a fast shutdown — restarted as it was it comes up in recovery, and no
 * session can undo that), or the step fails. If it answers with an error (drpilot's login refused, no free connection slot),
 * it is alive and unfenced: the step fails rather than call it unreachable. If it does not answer, there is nothing to reach:
 * the step records how it did not answer — its port closed (the server is not running) or silence (down, or cut off and
 * perhaps still serving) — and the promotion decides on that by the cluster's {@code failover.unreachablePrimary}.
 */
public final class PostgresFenceStep implements FailoverStep {
    private final PostgresAdmin admin;
    private final PostgresDemotion demotion;

    public PostgresFenceStep(PostgresAdmin admin, PostgresDemotion demotion) {
        this.admin = admin;
        this.demotion = demotion;
    }

    @Override
    public String describe() {
        return "fence stop";
    }

    @Override
    public String plan(FailoverContext context) {
        return context.failedPrimary().map(node -> "demote " + node.name() + " (standby.signal, fast shutdown) if it answers")
                .orElse("nothing to fence (no failed primary)");
    }

    @Override
    public boolean alreadyDone(FailoverContext context) {
        return context.failedPrimary().isEmpty();
    }

    @Override
    public StepOutcome run(FailoverContext context, Duration timeout) throws Exception {
        NodeConfig old = context.failedPrimary().orElseThrow();
        PostgresAdmin.Contact contact = admin.contact(old);
        if (contact instanceof PostgresAdmin.NoAnswer silent) {
            FenceEvidence evidence = silent.portClosed() ? FenceEvidence.PORT_CLOSED : FenceEvidence.SILENT;
            return new StepOutcome(old.name() + (silent.portClosed() ? " refuses connections on its port (the server is not running)"
                    : " does not answer (" + silent.error() + "): down, or cut off") + "; nothing to demote now",
                    Map.of("fenced", evidence.attribute()));
        }
        Optional<PostgresRefusal> refusal = ((PostgresAdmin.Answered) contact).answer().refusal();
        if (refusal.isPresent()) {
            // Alive but not letting drpilot in: it may still take writes, and nothing here can stop it.
            throw new StepFailedException("could not fence " + old.name() + ": it answers but refuses drpilot (" + refusal.get().describe()
                    + "), so it is alive and was not demoted");
        }
        return new StepOutcome(demotion.demote(old, timeout), Map.of("fenced", FenceEvidence.DEMOTED.attribute()));
    }
}
