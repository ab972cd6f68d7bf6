package dev.drpilot.cli.drill;

import dev.drpilot.broker.EmbeddedKafkaBroker;
import dev.drpilot.localpg.PostgresCluster;
import dev.drpilot.localpg.PostgresNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Repeats "kill -9 the primary → a replica takes writes" on real PostgreSQL through the whole
 * pipeline with default detection settings (2 s probes, 3 failed probes from a quorum of 2
 * vantages: a blip under ~4 s is ignored) and prints, per round and over all rounds, the time to a
 * writable new primary (kill → first accepted write, measured by a client polling every 50 ms), the
 * recovery time drpilot recorded (first failed probe → writable), and the rows a steady writer had
 * acknowledged that the new primary lacks. Not a test: run it with {@code bench/failover}.
 */
public final class FailoverBenchmark {
    private FailoverBenchmark() {
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
        boolean durable = Arrays.asList(args).subList(Math.min(2, args.length), args.length).contains("--durable");
        Files.createDirectories(out);
        List<FailoverDrill.Result> results = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            // A broker of its own per round: no round reads another's observations or commands.
            Path state = Files.createTempDirectory("drpilot-failover-bench-");
            String name = "bench" + round;
            try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder(state.resolve("kafka")).port(0).build().start();
                 PostgresCluster pg = PostgresCluster.start(name, 2);
                 FailoverDrill drill = new FailoverDrill(broker, pg, name, "")) {
                if (durable) {
                    makeDurable(pg);
                }
                FailoverDrill.Result result = drill.killPrimary(Duration.ofSeconds(120));
                results.add(result);
                System.out.printf(Locale.ROOT, "round %d: writable after %,d ms; drpilot's recorded recovery time %s ms; %d of %d acknowledged rows lost; %s%n",
                        round, result.toWritable().toMillis(), result.summary().getAttributes().getOrDefault("rtoMillis", "?"),
                        result.lost(), result.acknowledged(), result.summary().getDetail());
            }
        }
        String report = report(results, rounds, durable);
        System.out.println(report);
        Path file = out.resolve("failover-" + Instant.now().toString().replace(':', '-') + ".txt");
        Files.writeString(file, report);
        System.out.println("written to " + file);
    }

    /**
     * A server's defaults for durability, as production runs it: the harness turns fsync, full-page
     * writes and synchronous commit off for speed. All three take effect on reload, replicas included.
     */
    private static void makeDurable(PostgresCluster pg) throws SQLException {
        for (PostgresNode node : pg.nodes()) {
            node.execute("ALTER SYSTEM SET fsync = on");
            node.execute("ALTER SYSTEM SET full_page_writes = on");
            node.execute("ALTER SYSTEM SET synchronous_commit = on");
            node.execute("SELECT pg_reload_conf()");
        }
    }

    static String report(List<FailoverDrill.Result> results, int rounds, boolean durable) {
        List<Long> writable = results.stream().map(r -> r.toWritable().toMillis()).sorted().toList();
        List<Long> recorded = results.stream().map(r -> Long.parseLong(r.summary().getAttributes().getOrDefault("rtoMillis", "-1")))
                .sorted().toList();
        List<Integer> lost = results.stream().map(FailoverDrill.Result::lost).sorted(Comparator.naturalOrder()).toList();
        int acknowledged = results.stream().mapToInt(FailoverDrill.Result::acknowledged).sum();
        return String.format(Locale.ROOT, """
                failover benchmark: %d rounds, a primary and 2 streaming replicas each, default detection (2 s probes, 3 failures, quorum 2)
                kill -> writable new primary (client view): median %,d ms, worst %,d ms, best %,d ms
                first failed probe -> writable (drpilot's recorded recovery time): median %,d ms, worst %,d ms
                acknowledged rows lost: median %d, worst %d, total %d of %d (writer at 50 rows/s; %s)
                """, rounds, median(writable), writable.get(writable.size() - 1), writable.get(0), median(recorded),
                recorded.get(recorded.size() - 1), median(lost), lost.get(lost.size() - 1), lost.stream().mapToInt(Integer::intValue).sum(), acknowledged,
                durable ? "servers with fsync, full_page_writes and synchronous_commit on, asynchronous replicas"
                        : "harness runs fsync and synchronous_commit off");
    }

    private static <T extends Number> long median(List<T> sorted) {
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2).longValue() : (sorted.get(n / 2 - 1).longValue() + sorted.get(n / 2).longValue()) / 2;
    }
}
