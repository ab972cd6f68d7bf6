package dev.drpilot.failover.steps;

import dev.drpilot.config.NodeConfig;
import dev.drpilot.config.PostgresRefusal;
import dev.drpilot.failover.FailoverContext;
import dev.drpilot.failover.FailoverStep;
import dev.drpilot.failover.StepFailedException;
import dev.drpilot.failover.StepOutcome;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * {@code fence} with {@code method: stop}: make sure the old primary takes no more writes. If it
 * answers, it is switched to read-only ({@code default_transaction_read_only} via ALTER SYSTEM and a
 * reload, which survives its restart) and its client sessions are ended, so a primary that comes
 * back after a partition cannot accept writes next to the new one. If it does not answer, there is
 * nothing to reach: that is recorded as such — only {@code method: command} or {@code kubernetes}
 * can keep a server that is unreachable now from returning as a primary later. If it answers with
 * an error (drpilot's login refused, no free connection slot), it is alive and unfenced: the step
 * fails rather than call it unreachable.
 */
public final class PostgresFenceStep implements FailoverStep {
    private final PostgresAdmin admin;

    public PostgresFenceStep(PostgresAdmin admin) {
        this.admin = admin;
    }

    @Override
    public String describe() {
        return "fence stop";
    }

    @Override
    public String plan(FailoverContext context) {
        return context.failedPrimary().map(node -> "switch " + node.name() + " to read-only and end its sessions if it answers")
                .orElse("nothing to fence (no failed primary)");
    }

    @Override
    public boolean alreadyDone(FailoverContext context) {
        return context.failedPrimary().isEmpty();
    }

    @Override
    public StepOutcome run(FailoverContext context, Duration timeout) throws Exception {
        NodeConfig old = context.failedPrimary().orElseThrow();
        Optional<PostgresAdmin.Answer> answer = admin.answer(old);
        if (answer.isEmpty()) {
            return new StepOutcome(old.name() + " does not answer: nothing to stop now (fence it with method command or kubernetes"
                    + " to keep it from returning as a primary)", Map.of("fenced", "unreachable"));
        }
        Optional<PostgresRefusal> refusal = answer.get().refusal();
        if (refusal.isPresent()) {
            // Alive but not letting drpilot in: it may still take writes, and nothing here can stop it.
            throw new StepFailedException("could not fence " + old.name() + ": it answers but refuses drpilot (" + refusal.get().describe()
                    + "), so it is alive and was not switched to read-only");
        }
        try (Connection connection = admin.connect(old, timeout); Statement statement = connection.createStatement()) {
            statement.execute("ALTER SYSTEM SET default_transaction_read_only = on");
            statement.execute("SELECT pg_reload_conf()");
            statement.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()");
        } catch (SQLException e) {
            throw new StepFailedException("could not fence " + old.name() + ": " + e.getMessage(), e);
        }
        return new StepOutcome(old.name() + " answered: switched to read-only and its sessions ended", Map.of("fenced", "read-only"));
    }
}
