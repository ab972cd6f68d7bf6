package dev.drpilot.cli.drill;

import dev.drpilot.broker.EmbeddedKafkaBroker;
import dev.drpilot.config.ConfigLoader;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.localpg.PostgresCluster;
import dev.drpilot.localpg.PostgresNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import static org.awaitility.Awaitility.await;

/**
 * Repeats "kill -9 the primary → a replica takes writes" on real PostgreSQL through the whole
 * pipeline with default detection settings (2 s probes, 3 failed probes from a quorum of 2
 * vantages: a blip under ~4 s is ignored) and prints, per round and over all rounds, the time to a
 * writable new primary (kill → first accepted write, measured by a client per replica trying every 50 ms), the
 * time to the detector's command, the recovery time drpilot recorded (first failed probe → writable),
 * and the rows a steady writer had acknowledged that the new primary lacks. Not a test: run it with
 * {@code bench/failover}.
 *
 * <p>{@code --agents}: two scenarios, each for the given rounds, with {@code drpilot agent} (its defaults) beside every
 * node — the primary's postmaster killed with its agent alive (the host lives), and the primary's agent killed with it
 * (the machine is lost: the agent runs as a JVM of its own, killed with {@code kill -9}). {@code --sync}: replica 1 a
 * synchronous standby with {@code synchronous_commit = remote_apply} (and a server's durability settings).
 */
public final class FailoverBenchmark {
    private FailoverBenchmark() {
    }

    /** What is killed, and what runs beside the servers. */
    enum Scenario {
        NO_AGENTS("postgres killed, no agents"),
        AGENT_ALIVE("postgres killed, its agent alive (host up)"),
        MACHINE_LOSS("postgres and its agent killed together (machine lost)");

        final String description;

        Scenario(String description) {
            this.description = description;
        }
    }

    public static void main(String[] args) {
        try {
            run(args);
            System.exit(0);
        } catch (Exception | AssertionError e) {
            // Kafka's and the drill's non-daemon threads would keep a failed run alive forever.
            e.printStackTrace();
            System.exit(1);
        }
    }

    private static void run(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        Path out = Path.of(args.length > 1 ? args[1] : "target/bench");
        List<String> flags = Arrays.asList(args).subList(Math.min(2, args.length), args.length);
        boolean sync = flags.contains("--sync");
        if (flags.contains("--short-lease")) {
            System.setProperty("drpilot.bench.shortLease", "true");
        }
        boolean durable = sync || flags.contains("--durable");
        int fastProbes = flags.indexOf("--fast-probes");
        if (fastProbes >= 0) {
            // N probes 1 s apart span N - 1 seconds: a blip shorter than that fails nothing over.
            holdProbes = fastProbes + 1 < flags.size() && flags.get(fastProbes + 1).matches("\\d+") ? Integer.parseInt(flags.get(fastProbes + 1)) : 5;
        }
        List<Scenario> scenarios = flags.contains("--agents") ? List.of(Scenario.AGENT_ALIVE, Scenario.MACHINE_LOSS) : List.of(Scenario.NO_AGENTS);
        Files.createDirectories(out);
        StringBuilder reports = new StringBuilder();
        for (Scenario scenario : scenarios) {
            List<FailoverDrill.Result> results = new ArrayList<>();
            for (int round = 1; round <= rounds; round++) {
                FailoverDrill.Result result = round(scenario, "bench" + round, durable, sync);
                results.add(result);
                System.out.printf(Locale.ROOT, "%s, round %d: writable after %,d ms (command after %,d ms); drpilot's recorded recovery time %s ms;"
                                + " %d of %d acknowledged rows lost; evidence %s; %s; %s%n",
                        scenario.description, round, result.toWritable().toMillis(), result.toCommand().toMillis(),
                        result.summary().getAttributes().getOrDefault("rtoMillis", "?"), result.lost(), result.acknowledged(),
                        result.command().getEvidence().stream().map(source -> source.getVantage()).toList(), timeline(result),
                        result.summary().getDetail());
                if (flags.contains("--attempts")) {
                    // The new primary's client, attempt by attempt (ms after the kill it began + its duration, outcome).
                    System.out.printf(Locale.ROOT, "  client of %s: %s%n", result.newPrimary(), String.join("; ", result.clientAttempts()));
                }
            }
            String report = report(results, rounds, scenario, durable, sync);
            System.out.println(report);
            reports.append(report).append('\n');
        }
        Path file = out.resolve("failover-" + Instant.now().toString().replace(':', '-') + ".txt");
        Files.writeString(file, reports.toString());
        System.out.println("written to " + file);
    }

    /** With {@code --fast-probes N}: every node probed each second, {@code N} failures to count; 0: the defaults (2 s, 3). */
    private static int holdProbes;

    /** A PostgreSQL probe of every node each second (timeout 800 ms) instead of the default 2 s. */
    private static String fastProbes(String cluster, PostgresCluster pg) {
        StringBuilder probes = new StringBuilder("probes:\n");
        for (PostgresNode node : pg.nodes()) {
            probes.append("  - {name: ").append(cluster).append('-').append(node.name()).append("-fast, kind: postgres, component: ")
                    .append(cluster).append("-db, cluster: ").append(cluster).append(", node: ").append(node.name())
                    .append(", interval: 1s, timeout: 800ms}\n");
        }
        return probes.toString();
    }

    /** One round on a broker and a cluster of its own: no round reads another's observations or commands. */
    private static FailoverDrill.Result round(Scenario scenario, String name, boolean durable, boolean sync) throws Exception {
        Path state = Files.createTempDirectory("drpilot-failover-bench-");
        boolean agents = scenario != Scenario.NO_AGENTS;
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder(state.resolve("kafka")).port(0).build().start();
             PostgresCluster pg = PostgresCluster.start(name, 2)) {
            if (durable) {
                makeDurable(pg, sync);
            }
            if (sync) {
                syncStandby(pg, pg.replica(0));
            }
            String yaml = FailoverDrill.yaml(name, pg, holdProbes == 0 ? "{mode: auto}" : "{mode: auto, holdProbes: " + holdProbes + "}",
                    holdProbes == 0 ? "" : fastProbes(name, pg), agents);
            Path configFile = Files.writeString(state.resolve("drpilot.yaml"), yaml);
            DrpilotConfig config = ConfigLoader.parse(yaml, configFile.toString(), env -> null);
            try (FailoverDrill drill = new FailoverDrill(broker, pg, name, config, Optional.empty());
                 DrillAgents running = agents ? DrillAgents.start(broker, pg, name, config, configFile,
                         scenario == Scenario.MACHINE_LOSS ? Optional.of(pg.primary().name()) : Optional.empty()) : null) {
                return drill.killPrimary(Duration.ofSeconds(120), scenario == Scenario.MACHINE_LOSS ? running::killAgentProcess : () -> { });
            }
        }
    }

    /**
     * A server's defaults for durability, as production runs it: the harness turns fsync, full-page
     * writes and synchronous commit off for speed. All three take effect on reload, replicas included.
     */
    private static void makeDurable(PostgresCluster pg, boolean sync) throws SQLException {
        for (PostgresNode node : pg.nodes()) {
            node.execute("ALTER SYSTEM SET fsync = on");
            node.execute("ALTER SYSTEM SET full_page_writes = on");
            node.execute("ALTER SYSTEM SET synchronous_commit = " + (sync ? "remote_apply" : "on"));
            node.execute("SELECT pg_reload_conf()");
        }
    }

    /**
     * {@code standby} the primary's synchronous standby: it connects under its own name, and the primary waits for it
     * ({@code FIRST 1}). Only the primary's setting names it: a promoted standby must not wait for itself.
     */
    private static void syncStandby(PostgresCluster pg, PostgresNode standby) throws SQLException {
        String conninfo = queryOne(standby, "SHOW primary_conninfo");
        standby.execute("ALTER SYSTEM SET primary_conninfo = '" + (conninfo + " application_name=" + standby.name()).replace("'", "''") + "'");
        standby.execute("SELECT pg_reload_conf()");
        pg.primary().execute("ALTER SYSTEM SET synchronous_standby_names = 'FIRST 1 (\"" + standby.name() + "\")'");
        pg.primary().execute("SELECT pg_reload_conf()");
        await("a synchronous standby").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() ->
                "sync".equals(queryOne(pg.primary(), "SELECT coalesce(max(sync_state), '') FROM pg_stat_replication WHERE application_name = '"
                        + standby.name() + "'")));
    }

    private static String queryOne(PostgresNode node, String sql) throws SQLException {
        try (Connection connection = node.connect(); Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getString(1);
        }
    }

    /** Where the time after the command went: from the command to each step's start, and each step's own duration. */
    static String timeline(FailoverDrill.Result result) {
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "writer's last statement failed after %d ms; runbook",
                result.writerEnded() == null ? -1 : result.writerEnded().toMillis()));
        for (ActionRecord step : result.steps()) {
            line.append(String.format(Locale.ROOT, " %s +%d ms (%d ms)", step.getName(),
                    Duration.between(result.command().getIssuedAt(), step.getStartedAt()).toMillis(),
                    step.getFinishedAt() == null ? -1 : Duration.between(step.getStartedAt(), step.getFinishedAt()).toMillis()));
            // Where a promotion's time went: the candidate's intent and the wait on the old primary's lease.
            step.getAttributes().entrySet().stream().filter(entry -> entry.getKey().endsWith("Millis") || entry.getKey().equals("lease"))
                    .forEach(entry -> line.append(String.format(Locale.ROOT, " [%s %s]", entry.getKey(), entry.getValue())));
        }
        return line.toString();
    }

    static String report(List<FailoverDrill.Result> results, int rounds, Scenario scenario, boolean durable, boolean sync) {
        List<Long> writable = results.stream().map(r -> r.toWritable().toMillis()).sorted().toList();
        List<Long> detection = results.stream().map(r -> r.toCommand().toMillis()).sorted().toList();
        List<Long> afterCommand = results.stream().map(r -> r.toWritable().minus(r.toCommand()).toMillis()).sorted().toList();
        List<Long> recorded = results.stream().map(r -> Long.parseLong(r.summary().getAttributes().getOrDefault("rtoMillis", "-1")))
                .sorted().toList();
        List<Integer> lost = results.stream().map(FailoverDrill.Result::lost).sorted(Comparator.naturalOrder()).toList();
        int acknowledged = results.stream().mapToInt(FailoverDrill.Result::acknowledged).sum();
        return String.format(Locale.ROOT, """
                failover benchmark: %s; %d rounds, a primary and 2 streaming replicas each, %s
                kill -> writable new primary (client view): median %,d ms, worst %,d ms, best %,d ms
                kill -> failover command (detection): median %,d ms, worst %,d ms; command -> writable (runbook): median %,d ms, worst %,d ms
                first failed probe -> writable (drpilot's recorded recovery time): median %,d ms, worst %,d ms
                acknowledged rows lost: median %d, worst %d, total %d of %d (writer at 50 rows/s; %s)
                """, scenario.description, rounds,
                holdProbes == 0 ? "default detection (2 s probes, 3 failures, quorum 2)" : "probes every 1 s, " + holdProbes + " failures, quorum 2",
                median(writable), last(writable), writable.get(0), median(detection), last(detection),
                median(afterCommand), last(afterCommand), median(recorded), last(recorded), median(lost), last(lost),
                lost.stream().mapToInt(Integer::intValue).sum(), acknowledged,
                sync ? "synchronous_commit remote_apply, one synchronous standby (the preferred replica), fsync on"
                        : durable ? "servers with fsync, full_page_writes and synchronous_commit on, asynchronous replicas"
                        : "harness runs fsync and synchronous_commit off");
    }

    private static <T extends Number> long last(List<T> sorted) {
        return sorted.get(sorted.size() - 1).longValue();
    }

    private static <T extends Number> long median(List<T> sorted) {
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2).longValue() : (sorted.get(n / 2 - 1).longValue() + sorted.get(n / 2).longValue()) / 2;
    }
}
