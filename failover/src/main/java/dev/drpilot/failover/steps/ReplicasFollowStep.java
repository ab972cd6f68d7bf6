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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code repoint} with {@code method: replicas}: every other replica that answers follows the new
 * primary — its {@code primary_conninfo} gets the new primary's host and port (user, password and
 * the rest are kept) through ALTER SYSTEM and a reload, which restarts its WAL receiver; with
 * {@code recovery_target_timeline = latest} (the default) it then follows the new timeline. The old
 * primary is left alone: it was fenced, and it needs pg_rewind before it can be a replica again.
 */
public final class ReplicasFollowStep implements FailoverStep {
    private static final Pattern HOST = Pattern.compile("(?<=^|\\s)host=('[^']*'|\\S+)");
    private static final Pattern PORT = Pattern.compile("(?<=^|\\s)port=('[^']*'|\\S+)");

    private final PostgresAdmin admin;

    public ReplicasFollowStep(PostgresAdmin admin) {
        this.admin = admin;
    }

    @Override
    public String describe() {
        return "repoint replicas";
    }

    @Override
    public String plan(FailoverContext context) {
        List<NodeConfig> followers = followers(context);
        return followers.isEmpty() ? "no other replica to point at the new primary"
                : "point " + String.join(", ", followers.stream().map(NodeConfig::name).toList()) + " at "
                + context.chosenCandidate().map(NodeConfig::name).orElse("the new primary");
    }

    /** The nodes that should follow: neither the old primary nor the candidate. */
    static List<NodeConfig> followers(FailoverContext context) {
        String old = context.failedPrimary().map(NodeConfig::name).orElse("");
        String candidate = context.chosenCandidate().map(NodeConfig::name).orElse("");
        return context.cluster().nodes().stream().filter(node -> !node.name().equals(old) && !node.name().equals(candidate)).toList();
    }

    @Override
    public boolean alreadyDone(FailoverContext context) throws Exception {
        for (NodeConfig follower : followers(context)) {
            Optional<String> conninfo = conninfo(follower);
            if (conninfo.isPresent() && !pointsAt(conninfo.get(), context.candidate())) {
                return false;
            }
        }
        return true;
    }

    @Override
    public StepOutcome run(FailoverContext context, Duration timeout) throws Exception {
        NodeConfig target = context.candidate();
        List<String> done = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (NodeConfig follower : followers(context)) {
            Optional<String> conninfo = conninfo(follower);
            if (conninfo.isEmpty()) {
                skipped.add(follower.name() + " (does not answer)");
                continue;
            }
            if (pointsAt(conninfo.get(), target)) {
                done.add(follower.name() + " (already)");
                continue;
            }
            String updated = withHostAndPort(conninfo.get(), target.host(), target.port());
            try (Connection connection = admin.connect(follower, timeout); Statement statement = connection.createStatement()) {
                statement.execute("ALTER SYSTEM SET primary_conninfo = '" + updated.replace("'", "''") + "'");
                statement.execute("SELECT pg_reload_conf()");
            } catch (SQLException e) {
                throw new StepFailedException("could not repoint " + follower.name() + " at " + target.name() + ": " + e.getMessage(), e);
            }
            done.add(follower.name());
        }
        return new StepOutcome("following " + target.name() + ": " + (done.isEmpty() ? "none" : String.join(", ", done))
                + (skipped.isEmpty() ? "" : "; not reached: " + String.join(", ", skipped)),
                Map.of("followers", String.join(",", done), "unreached", String.join(",", skipped)));
    }

    private Optional<String> conninfo(NodeConfig node) {
        try (Connection connection = admin.connect(node, Duration.ofSeconds(3)); Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT pg_is_in_recovery(), current_setting('primary_conninfo')")) {
            row.next();
            return row.getBoolean(1) ? Optional.of(row.getString(2)) : Optional.empty();
        } catch (SQLException e) {
            return Optional.empty();
        }
    }

    static boolean pointsAt(String conninfo, NodeConfig node) {
        Matcher host = HOST.matcher(conninfo);
        Matcher port = PORT.matcher(conninfo);
        String hostValue = host.find() ? unquote(host.group(1)) : "";
        String portValue = port.find() ? unquote(port.group(1)) : "5432";
        return hostValue.equals(node.host()) && portValue.equals(Integer.toString(node.port()));
    }

    static String withHostAndPort(String conninfo, String host, int port) {
        String result = HOST.matcher(conninfo).find() ? HOST.matcher(conninfo).replaceFirst("host=" + Matcher.quoteReplacement(host))
                : conninfo + " host=" + host;
        return PORT.matcher(result).find() ? PORT.matcher(result).replaceFirst("port=" + port) : result + " port=" + port;
    }

    private static String unquote(String value) {
        return value.startsWith("'") && value.endsWith("'") ? value.substring(1, value.length() - 1) : value;
    }
}
