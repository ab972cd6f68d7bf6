package dev.drpilot.failover.steps;

import dev.drpilot.config.NodeConfig;
import dev.drpilot.failover.FailoverContext;
import dev.drpilot.failover.FailoverStep;
import dev.drpilot.failover.StepFailedException;
import dev.drpilot.failover.StepOutcome;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@code promote} with {@code method: postgres}: {@code pg_promote(true, timeout)} on the
 * candidate, then confirm that it is out of recovery and that a write succeeds (a transaction id
 * is assigned and committed, which a standby refuses). The time it became writable is recorded:
 * the end of the measured RTO.
 */
public final class PostgresPromoteStep implements FailoverStep {
    private final PostgresAdmin admin;
    private final Clock clock;

    public PostgresPromoteStep(PostgresAdmin admin, Clock clock) {
        this.admin = admin;
        this.clock = clock;
    }

    @Override
    public String describe() {
        return "promote postgres";
    }

    @Override
    public String plan(FailoverContext context) {
        return context.chosenCandidate().map(node -> "pg_promote() on " + node.name()).orElse("pg_promote() on the chosen candidate");
    }

    @Override
    public boolean alreadyDone(FailoverContext context) {
        Optional<PostgresAdmin.NodeState> state = admin.state(context.candidate());
        return state.isPresent() && !state.get().inRecovery();
    }

    @Override
    public StepOutcome run(FailoverContext context, Duration timeout) throws Exception {
        NodeConfig candidate = context.candidate();
        Optional<Long> caughtUp = context.switchoverTarget().isPresent() ? catchUp(context, candidate, timeout) : Optional.empty();
        int waitSeconds = (int) Math.max(1, timeout.toSeconds() - 2);
        try (Connection connection = admin.connect(candidate, timeout); Statement statement = connection.createStatement()) {
            // A replica whose replay is paused only gets here when an operator forced it: promotion
            // must replay what it received first, so the pause is lifted.
            statement.execute("SELECT pg_wal_replay_resume() WHERE pg_is_wal_replay_paused()");
            try (ResultSet promoted = statement.executeQuery("SELECT pg_promote(true, " + waitSeconds + ")")) {
                promoted.next();
                if (!promoted.getBoolean(1)) {
                    throw new StepFailedException("pg_promote() on " + candidate.name() + " did not finish within " + waitSeconds + " s");
                }
            }
        } catch (SQLException e) {
            throw new StepFailedException("pg_promote() on " + candidate.name() + " failed: " + e.getMessage(), e);
        }
        StepOutcome promoted = writable(candidate, timeout, "promoted " + candidate.name());
        return caughtUp.map(lsn -> new StepOutcome(promoted.detail() + " after replaying up to the old primary's last WAL position " + lsn,
                Stream.concat(promoted.attributes().entrySet().stream(), Map.of("caughtUpLsn", Long.toString(lsn)).entrySet().stream())
                        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)))).orElse(promoted);
    }

    /**
     * A switchover loses nothing: with the old primary fenced (read-only, sessions ended), its WAL
     * position stops moving; the target is promoted only once it has replayed up to there.
     */
    private Optional<Long> catchUp(FailoverContext context, NodeConfig candidate, Duration timeout) throws Exception {
        Optional<PostgresAdmin.NodeState> old = context.failedPrimary().flatMap(admin::state);
        if (old.isEmpty() || old.get().inRecovery()) {
            return Optional.empty();
        }
        long target = old.get().replayLsn();
        Instant deadline = clock.instant().plus(timeout.dividedBy(2));
        while (true) {
            Optional<PostgresAdmin.NodeState> state = admin.state(candidate);
            if (state.isPresent() && state.get().replayLsn() >= target) {
                return Optional.of(target);
            }
            if (clock.instant().isAfter(deadline)) {
                throw new StepFailedException(candidate.name() + " did not replay up to the old primary's position " + target + " within "
                        + timeout.dividedBy(2).toSeconds() + " s (at " + state.map(s -> Long.toString(s.replayLsn())).orElse("?") + ")");
            }
            Thread.sleep(100);   // replay progress is a remote server's state: polled
        }
    }

    /** Confirms the node takes writes; the outcome carries {@code writableAt}. */
    StepOutcome writable(NodeConfig node, Duration timeout, String what) throws StepFailedException {
        try (Connection connection = admin.connect(node, timeout); Statement statement = connection.createStatement()) {
            try (ResultSet recovery = statement.executeQuery("SELECT pg_is_in_recovery()")) {
                recovery.next();
                if (recovery.getBoolean(1)) {
                    throw new StepFailedException(node.name() + " is still in recovery after promotion");
                }
            }
            connection.setAutoCommit(false);
            try (ResultSet xid = statement.executeQuery("SELECT pg_current_xact_id()")) {
                xid.next();
            }
            connection.commit();
        } catch (SQLException e) {
            throw new StepFailedException(node.name() + " does not take writes: " + e.getMessage(), e);
        }
        return new StepOutcome(what + "; it takes writes", Map.of("writableAt", clock.instant().toString(), "newPrimary", node.name()));
    }
}
