package dev.drpilot.cli.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.drpilot.config.Component;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.config.Durations;
import dev.drpilot.events.ActionKind;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.Alert;
import dev.drpilot.events.ReplicationObservation;
import dev.drpilot.failover.FailoverHistory;
import dev.drpilot.localpg.PostgresCluster;
import dev.drpilot.localpg.PostgresNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.function.Supplier;

/**
 * The DR plan's scenarios, played against the real pipeline: nothing here tells drpilot what
 * happened; the demo breaks something real (pauses replay, reports a failed backup through the
 * ingest API, lets the RPO pass, kills the primary) and waits for drpilot's own alerts, emails
 * and failover records.
 */
public final class DemoScenarios {
    /** Names from the demo configuration the scenarios act on. */
    public record Plan(String cluster, String databaseComponent, String backupComponent, URI ingestApi) {
    }

    /** Thrown when drpilot did not do what a scenario expects within its time. */
    public static final class ScenarioFailed extends Exception {
        ScenarioFailed(String message) {
            super(message);
        }
    }

    private static final Duration POLL = Duration.ofMillis(250);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final DrpilotConfig config;
    private final Plan plan;
    private final PostgresCluster pg;
    private final DemoEvents events;
    private final Mailbox mailbox;
    private final Narrator narrator;
    private final Clock clock;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Set<Long> acknowledged = new ConcurrentSkipListSet<>();
    private volatile boolean writing;
    private Thread writer;
    private Instant lastGoodBackup;

    public DemoScenarios(DrpilotConfig config, Plan plan, PostgresCluster pg, DemoEvents events, Mailbox mailbox, Narrator narrator, Clock clock) {
        this.config = config;
        this.plan = plan;
        this.pg = pg;
        this.events = events;
        this.mailbox = mailbox;
        this.narrator = narrator;
        this.clock = clock;
    }

    /** Plays every scenario in order; the first one drpilot does not get right ends the play. */
    public void play() throws ScenarioFailed, InterruptedException {
        Instant start = clock.instant();
        prologue();
        replicationLag();
        failedBackup();
        rpoBreach();
        primaryKilled();
        Duration took = Duration.between(start, clock.instant());
        narrator.chapter(String.format(Locale.ROOT, "All scenarios played in %d:%02d", took.toMinutes(), took.toSecondsPart()));
    }

    private void prologue() throws ScenarioFailed, InterruptedException {
        narrator.chapter("0/4  The plant");
        PostgresNode primary = pg.primary();
        PostgresNode replica = pg.replica(0);
        narrator.say("PostgreSQL %s is the primary of cluster %s; %s streams its WAL (pg_basebackup -R)", primary, plan.cluster(), replica);
        startWriter(primary);
        narrator.say("an application writes 5 rows a second to %s (table demo_orders)", primary.name());
        lastGoodBackup = clock.instant();
        report("SUCCEEDED", lastGoodBackup, null);
        narrator.say("the backup job reports a good base backup of %s, finished now (POST %s)", plan.backupComponent(), backupUrl());
        ReplicationObservation first = await("a replication figure of " + replica.name(), Duration.ofSeconds(60),
                () -> events.latestReplication(replica.name()).filter(o -> o.getLagSeconds() != null));
        narrator.say("drpilot measures %s: lag %s, %d bytes behind", replica.name(), seconds(first.getLagSeconds()), orZero(first.getLagBytes()));
    }

    private void replicationLag() throws ScenarioFailed, InterruptedException {
        Duration threshold = component(plan.databaseComponent()).thresholds().replicationLag();
        narrator.chapter("1/4  Replication lag over " + Durations.format(threshold));
        PostgresNode replica = pg.replica(0);
        sql(replica, "SELECT pg_wal_replay_pause()");
        Instant paused = clock.instant();
        narrator.say("pausing WAL replay on %s (SELECT pg_wal_replay_pause()): it keeps receiving WAL but applies none", replica.name());
        narrator.say("waiting for the lag to pass %s; the alert fires after it stays over for lagHold", Durations.format(threshold));
        long[] lastShown = {0};
        Alert firing = await("replication-lag to fire", threshold.multipliedBy(2).plusMinutes(2), () -> {
            long elapsed = Duration.between(paused, clock.instant()).toSeconds();
            if (elapsed / 15 > lastShown[0] / 15) {
                lastShown[0] = elapsed;
                events.latestReplication(replica.name()).ifPresent(o -> narrator.say("lag of %s: %s, %d bytes", replica.name(),
                        seconds(o.getLagSeconds()), orZero(o.getLagBytes())));
            }
            return events.alert(DemoEvents.alert("replication-lag", "FIRING"));
        });
        narrator.say("=> drpilot raised replication-lag %s after %d s of paused replay",
                firing.getSeverity().name().toLowerCase(Locale.ROOT), Duration.between(paused, clock.instant()).toSeconds());
        sql(replica, "SELECT pg_wal_replay_resume()");
        narrator.say("resuming WAL replay on %s; the alert resolves once the lag stays under the threshold for resolveHold", replica.name());
        await("replication-lag to resolve", Duration.ofMinutes(3), () -> events.alert(DemoEvents.alert("replication-lag", "RESOLVED")));
        narrator.say("=> replication-lag resolved");
    }

    private void failedBackup() throws ScenarioFailed, InterruptedException {
        narrator.chapter("2/4  A failed backup");
        report("FAILED", null, "wal-g backup-push exited 1: could not connect to the object store (demo)");
        narrator.say("the backup job reports a FAILED backup of %s (POST %s)", plan.backupComponent(), backupUrl());
        await("backup-failed to fire", Duration.ofMinutes(1), () -> events.alert(DemoEvents.alert("backup-failed", "FIRING")));
        Mailbox.Mail mail = awaitMail("backup-failed");
        narrator.say("=> email received by the demo's SMTP server, to %s", mail.to());
        narrator.block("Subject: " + mail.subject() + "\n" + mail.firstLines(6) + "\n(saved as " + mail.file() + ")");
    }

    private void rpoBreach() throws ScenarioFailed, InterruptedException {
        Duration rpo = component(plan.backupComponent()).rpo().orElseThrow();
        narrator.chapter("3/4  No backup within the RPO (" + Durations.format(rpo) + ")");
        Instant due = lastGoodBackup.plus(rpo);
        narrator.say("the last good backup of %s finished %d s ago; with no new one, its RPO of %s is breached %d s from now",
                plan.backupComponent(), Duration.between(lastGoodBackup, clock.instant()).toSeconds(), Durations.format(rpo),
                Math.max(0, Duration.between(clock.instant(), due).toSeconds()));
        Alert breach = await("rpo-breach to fire", Duration.between(clock.instant(), due).plusMinutes(1),
                () -> events.alert(DemoEvents.alert("rpo-breach", "FIRING")));
        narrator.say("=> drpilot raised rpo-breach: recovery point %.0f s old, RPO %.0f s", orZero(breach.getValue()), orZero(breach.getThreshold()));
        awaitMail("rpo-breach");
        report("SUCCEEDED", clock.instant(), null);
        narrator.say("a new base backup succeeds (POST %s): both backup alerts resolve", backupUrl());
        await("rpo-breach to resolve", Duration.ofMinutes(1), () -> events.alert(DemoEvents.alert("rpo-breach", "RESOLVED")));
        await("backup-failed to resolve", Duration.ofMinutes(1), () -> events.alert(DemoEvents.alert("backup-failed", "RESOLVED")));
        narrator.say("=> rpo-breach and backup-failed resolved");
    }

    private void primaryKilled() throws ScenarioFailed, InterruptedException {
        narrator.chapter("4/4  The primary dies");
        PostgresNode primary = pg.primary();
        Duration rto = component(plan.databaseComponent()).rto();
        narrator.say("kill -9 of %s's postmaster, as an OOM killer or a dead host would end it (%d rows acknowledged to the application so far)",
                primary.name(), acknowledged.size());
        Instant killedAt = clock.instant();
        primary.kill();
        stopWriter();
        await("primary-down to fire", Duration.ofMinutes(1), () -> events.alert(DemoEvents.alert("primary-down", "FIRING")));
        ActionRecord summary = await("the failover's summary", Duration.ofMinutes(3),
                () -> events.action(record -> record.getKind() == ActionKind.FAILOVER_SUMMARY));
        String newPrimary = Optional.ofNullable(summary.getAttributes().get("newPrimary"))
                .orElseThrow(() -> new ScenarioFailed("the failover ended without a new primary: " + summary.getDetail()));
        PostgresNode promoted = pg.nodes().stream().filter(node -> node.name().equals(newPrimary)).findFirst()
                .orElseThrow(() -> new ScenarioFailed("the new primary " + newPrimary + " is not one of the demo's servers"));
        Duration toWritable = awaitWritable(promoted, killedAt);
        int lost = lostRows(promoted);
        narrator.say("=> %s takes writes %.1f s after the kill; %d of %d acknowledged rows are missing on it (asynchronous replication)",
                promoted.name(), toWritable.toMillis() / 1000.0, lost, acknowledged.size());
        narrator.chapter("Failover report");
        narrator.block(FailoverHistory.format(events.actions(record -> summary.getIncidentId().equals(record.getIncidentId()))).stripTrailing());
        Optional<Duration> recorded = Optional.ofNullable(summary.getAttributes().get("rtoMillis")).map(ms -> Duration.ofMillis(Long.parseLong(ms)));
        narrator.say("measured RTO: %.1f s from the kill to a writable %s (drpilot's own figure, first failed probe to writable: %s); target %s: %s",
                toWritable.toMillis() / 1000.0, promoted.name(),
                recorded.map(d -> String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0)).orElse("not recorded"),
                Durations.format(rto), toWritable.compareTo(rto) <= 0 ? "met" : "MISSED");
    }

    private Duration awaitWritable(PostgresNode node, Instant killedAt) throws ScenarioFailed, InterruptedException {
        await(node.name() + " to take writes", Duration.ofMinutes(1), () -> {
            try {
                node.execute("INSERT INTO demo_orders (id) VALUES (-1) ON CONFLICT DO NOTHING");
                return Optional.of(true);
            } catch (SQLException e) {
                return Optional.empty();
            }
        });
        // The summary is written after the promote step, so the new primary took writes before now:
        // promote's own finish time is when it did.
        return events.action(record -> record.getKind() == ActionKind.FAILOVER_STEP && "promote".equals(record.getName())
                        && record.getFinishedAt() != null)
                .map(promote -> Duration.between(killedAt, promote.getFinishedAt()))
                .orElseGet(() -> Duration.between(killedAt, clock.instant()));
    }

    private int lostRows(PostgresNode node) throws ScenarioFailed {
        Set<Long> present = new HashSet<>();
        try (Connection connection = node.connect(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT id FROM demo_orders")) {
            while (rows.next()) {
                present.add(rows.getLong(1));
            }
        } catch (SQLException e) {
            throw new ScenarioFailed("cannot read demo_orders on " + node.name() + ": " + e.getMessage());
        }
        return (int) acknowledged.stream().filter(id -> !present.contains(id)).count();
    }

    private void startWriter(PostgresNode primary) throws ScenarioFailed {
        sql(primary, "CREATE TABLE IF NOT EXISTS demo_orders (id bigint PRIMARY KEY, at timestamptz DEFAULT now())");
        writing = true;
        writer = new Thread(() -> {
            long next = 1;
            try (Connection connection = primary.connect(); Statement statement = connection.createStatement()) {
                while (writing) {
                    statement.execute("INSERT INTO demo_orders (id) VALUES (" + next + ")");
                    acknowledged.add(next++);
                    Thread.sleep(200);   // the application's pace: 5 rows a second
                }
            } catch (SQLException e) {
                if (writing) {
                    narrator.say("the application's writes to %s fail: %s", primary.name(), e.getMessage());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "drpilot-demo-writer");
        writer.setDaemon(true);
        writer.start();
    }

    private void stopWriter() throws InterruptedException {
        writing = false;
        writer.interrupt();
        writer.join(5_000);
    }

    /** Reports a backup to the ingest API, as a backup job's last step would. */
    private void report(String status, Instant recoveryPoint, String error) throws ScenarioFailed, InterruptedException {
        Instant now = clock.instant();
        ObjectNode report = JSON.createObjectNode().put("observedAt", now.toString()).put("component", plan.backupComponent())
                .put("status", status).put("tool", "REPORT").put("finishedAt", now.toString());
        if (recoveryPoint != null) {
            report.put("recoveryPointAt", recoveryPoint.toString());
        }
        if (error != null) {
            report.put("error", error);
        }
        HttpRequest request = HttpRequest.newBuilder(backupUrl()).timeout(Duration.ofSeconds(15))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(report.toString())).build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 202) {
                throw new ScenarioFailed("the ingest API answered " + response.statusCode() + " to a backup report: " + response.body());
            }
        } catch (IOException e) {
            throw new ScenarioFailed("cannot reach the ingest API at " + backupUrl() + ": " + e.getMessage());
        }
    }

    private URI backupUrl() {
        return plan.ingestApi().resolve("/v1/observations/backup");
    }

    private Mailbox.Mail awaitMail(String rule) throws ScenarioFailed, InterruptedException {
        return await("an email about " + rule, Duration.ofMinutes(1),
                () -> mailbox.received().stream().filter(mail -> mail.subject().startsWith("[FIRING") && mail.body().contains("Rule: " + rule)).findFirst());
    }

    private Component component(String name) throws ScenarioFailed {
        return config.components().stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new ScenarioFailed("the configuration has no component " + name));
    }

    private static void sql(PostgresNode node, String statement) throws ScenarioFailed {
        try {
            node.execute(statement);
        } catch (SQLException e) {
            throw new ScenarioFailed(statement + " on " + node.name() + " failed: " + e.getMessage());
        }
    }

    /** Polls what drpilot published (read back from Kafka) until it shows what the scenario expects. */
    private <T> T await(String what, Duration timeout, Supplier<Optional<T>> condition) throws ScenarioFailed, InterruptedException {
        Instant deadline = clock.instant().plus(timeout);
        while (true) {
            Optional<T> value = condition.get();
            if (value.isPresent()) {
                return value.get();
            }
            if (clock.instant().isAfter(deadline)) {
                throw new ScenarioFailed("waited " + Durations.format(timeout) + " for " + what + " and it did not happen");
            }
            Thread.sleep(POLL.toMillis());   // what we wait for arrives on another thread; nothing to be notified by
        }
    }

    private static String seconds(Double value) {
        return value == null ? "unknown" : String.format(Locale.ROOT, "%.0f s", value);
    }

    private static long orZero(Long value) {
        return value == null ? 0 : value;
    }

    private static double orZero(Double value) {
        return value == null ? 0 : value;
    }
}
