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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code verify}: the new primary takes writes, and every other replica that answers streams from
 * it ({@code pg_stat_wal_receiver} on the replica: status {@code streaming}, sender = the new
 * primary) within the step's timeout. A replica that cannot follow (it had WAL the new primary
 * lacks) fails the step: it needs pg_rewind or a new base backup, which an operator decides.
 */
public final class VerifyStep implements FailoverStep {
    private final PostgresAdmin admin;
    private final PostgresPromoteStep writable;
    private final Clock clock;

    public VerifyStep(PostgresAdmin admin, Clock clock) {
        this.admin = admin;
        this.writable = new PostgresPromoteStep(admin, clock);
        this.clock = clock;
    }

    @Override
    public String describe() {
        return "verify";
    }

    @Override
    public String plan(FailoverContext context) {
        return "check that " + context.chosenCandidate().map(NodeConfig::name).orElse("the new primary")
                + " takes writes and the other replicas stream from it";
    }

    @Override
    public boolean alreadyDone(FailoverContext context) {
        return false;   // read-only: always checked afresh
    }

    @Override
    public StepOutcome run(FailoverContext context, Duration timeout) throws Exception {
        NodeConfig primary = context.candidate();
        writable.writable(primary, timeout, primary.name() + " is primary");
        Instant deadline = clock.instant().plus(timeout);
        List<String> waiting = new ArrayList<>();
        List<NodeConfig> followers = ReplicasFollowStep.followers(context);
        while (true) {
            waiting.clear();
            List<String> streaming = new ArrayList<>();
            for (NodeConfig follower : followers) {
                String status = receiverStatus(follower, primary);
                if ("unreachable".equals(status)) {
                    continue;   // not reached by repoint either: reported by it, not waited for
                }
                if ("streaming".equals(status)) {
                    streaming.add(follower.name());
                } else {
                    waiting.add(follower.name() + " (" + status + ")");
                }
            }
            if (waiting.isEmpty()) {
                return new StepOutcome(primary.name() + " takes writes" + (streaming.isEmpty() ? "" : "; streaming from it: " + String.join(", ", streaming)),
                        Map.of("streaming", String.join(",", streaming)));
            }
            if (clock.instant().isAfter(deadline)) {
                throw new StepFailedException("replicas not streaming from " + primary.name() + " within " + timeout.toSeconds() + " s: "
                        + String.join(", ", waiting));
            }
            Thread.sleep(200);   // polling a remote server's state: there is no event to wait on
        }
    }

    private String receiverStatus(NodeConfig follower, NodeConfig primary) {
        try (Connection connection = admin.connect(follower, Duration.ofSeconds(3)); Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT status, sender_host, sender_port FROM pg_stat_wal_receiver")) {
            if (!row.next()) {
                return "no WAL receiver";
            }
            boolean fromPrimary = primary.host().equals(row.getString(2)) && primary.port() == row.getInt(3);
            return "streaming".equals(row.getString(1)) && fromPrimary ? "streaming"
                    : row.getString(1) + " from " + row.getString(2) + ":" + row.getInt(3);
        } catch (SQLException e) {
            return "unreachable";
        }
    }
}
