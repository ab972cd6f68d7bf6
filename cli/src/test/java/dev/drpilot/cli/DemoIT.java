package dev.drpilot.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code drpilot demo} as a user runs it: the built distribution in its own process, the shipped
 * plan (with free ports and shorter thresholds so it plays in about a minute), every scenario
 * narrated, and then SIGTERM (what Ctrl-C sends the JVM too) — after which nothing it started may
 * still hold a port or a data directory.
 */
class DemoIT {
    private static final Path DIST = Path.of("target", "drpilot-dist", "bin", "drpilot");

    @Test
    void playsEveryScenarioAndLeavesNothingRunningAfterCtrlC(@TempDir Path dir) throws Exception {
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (String name : List.of("kafka", "ingest", "pg-1", "pg-2", "smtp", "status")) {
            ports.put(name, freePort(ports.values()));
        }
        Path config = dir.resolve("demo.yaml");
        Files.writeString(config, testPlan(ports));
        Path workDir = dir.resolve("work");

        Process demo = new ProcessBuilder(DIST.toAbsolutePath().toString(), "demo", "--config", config.toString(),
                "--work-dir", workDir.toString(), "--status-listen", "127.0.0.1:" + ports.get("status"))
                .redirectErrorStream(true).start();
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread reader = readLines(demo.getInputStream(), lines);
        try {
            await("the scenarios played").atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(500))
                    .until(() -> lines.stream().anyMatch(line -> line.contains("press Ctrl-C") || line.contains("DEMO FAILED"))
                            || !demo.isAlive());
            String output = String.join("\n", lines);
            assertThat(output).doesNotContain("DEMO FAILED").contains("== All scenarios played in");
            assertThat(output).containsPattern("ALERT FIRING +replication-lag +orders-db/pg-2")
                    .containsPattern("ALERT RESOLVED +replication-lag")
                    .containsPattern("ALERT FIRING +backup-failed +orders-data")
                    .contains("=> email received by the demo's SMTP server, to dba@demo.local")
                    .containsPattern("ALERT FIRING +rpo-breach +orders-data")
                    .containsPattern("ALERT FIRING +primary-down +orders-db")
                    .containsPattern("failover step promote postgres SUCCEEDED")
                    .containsPattern("drpilot: failover SUCCEEDED: failed over to pg-2")
                    .containsPattern("=> pg-2 takes writes [0-9.]+ s after the kill")
                    .containsPattern("measured RTO: [0-9.]+ s from the kill to a writable pg-2 .*target 5m: met");
            try (Stream<Path> outbox = Files.list(workDir.resolve("outbox"))) {
                List<Path> mails = outbox.toList();
                assertThat(mails).isNotEmpty();
                assertThat(mails).anySatisfy(mail -> assertThat(Files.readString(mail)).contains("Rule: backup-failed"));
            }
            // The page and the metrics are up while the demo waits for Ctrl-C.
            HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + ports.get("status") + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).contains("drpilot_failovers_total");
            HttpResponse<String> page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + ports.get("status") + "/api/status")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).as("the status page's failover timeline").contains("\"oldPrimary\":\"pg-1\"", "\"newPrimary\":\"pg-2\"")
                    .contains("\"name\":\"orders-db\"", "\"name\":\"orders-data\"");
            assertThat(page.body()).as("the live topology after the failover: the promoted node, not the configured one")
                    .contains("\"primaries\":[\"pg-2\"]");
            assertThat(metrics.body()).contains("drpilot_node_role{cluster=\"orders\",node=\"pg-2\",role=\"primary\"} 1.0");

            Matcher dataDir = Pattern.compile("data in (\\S+)\\)").matcher(output);
            assertThat(dataDir.find()).as("the narration names the PostgreSQL data directory").isTrue();
            Path pgData = Path.of(dataDir.group(1));
            assertThat(pgData).exists();

            // SIGTERM, as Ctrl-C ends the JVM. Through the handle: Process.destroy() would also close
            // our end of its output, and the last lines would be lost.
            demo.toHandle().destroy();
            assertThat(demo.waitFor(60, TimeUnit.SECONDS)).as("the demo stops within a minute").isTrue();
            reader.join(5_000);
            assertThat(String.join("\n", lines)).contains("drpilot demo stopped");
            assertThat(pgData).as("the PostgreSQL data directory is removed").doesNotExist();
            ports.forEach((name, port) -> assertThat(listening(port)).as("%s port %d is free again", name, port).isFalse());
            assertThat(ProcessHandle.allProcesses().map(p -> p.info().commandLine().orElse("")))
                    .as("no PostgreSQL server of the demo is left running").noneMatch(command -> command.contains(pgData.toString()));
        } finally {
            // Gracefully first even when an assertion failed: a killed JVM would leave its PostgreSQL servers running.
            if (demo.isAlive()) {
                demo.toHandle().destroy();
                if (!demo.waitFor(60, TimeUnit.SECONDS)) {
                    demo.destroyForcibly();
                }
            }
            System.out.println("drpilot demo output:\n" + String.join("\n", lines));
        }
    }

    /** The shipped plan on free ports, with a 10 s lag threshold and a 40 s RPO so that it plays in about a minute. */
    private static String testPlan(Map<String, Integer> ports) throws IOException {
        String plan;
        try (InputStream in = DemoIT.class.getClassLoader().getResourceAsStream(DemoCommand.BUILT_IN)) {
            plan = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<String[]> edits = List.of(
                new String[]{"port: 19092", "port: " + ports.get("kafka")},
                new String[]{"port: 18081", "port: " + ports.get("ingest")},
                new String[]{"port: 15432", "port: " + ports.get("pg-1")},
                new String[]{"port: 15433", "port: " + ports.get("pg-2")},
                new String[]{"port: 2525", "port: " + ports.get("smtp")},
                new String[]{"replicationLag: 60s", "replicationLag: 10s"},
                new String[]{"rpo: 2m", "rpo: 40s"});
        for (String[] edit : edits) {
            assertThat(plan).as("the shipped demo plan has '%s'", edit[0]).contains(edit[0]);
            plan = plan.replace(edit[0], edit[1]);
        }
        return plan;
    }

    private static Thread readLines(InputStream in, List<String> lines) {
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    lines.add(line);
                }
            } catch (IOException e) {
                lines.add("(reading the demo's output failed: " + e + ")");
            }
        }, "demo-output");
        reader.setDaemon(true);
        reader.start();
        return reader;
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A free port not already handed out (two picks in a row may otherwise return the same one). */
    private static int freePort(java.util.Collection<Integer> taken) throws IOException {
        List<ServerSocket> held = new ArrayList<>();
        try {
            while (true) {
                ServerSocket socket = new ServerSocket();
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                held.add(socket);
                if (!taken.contains(socket.getLocalPort())) {
                    return socket.getLocalPort();
                }
            }
        } finally {
            for (ServerSocket socket : held) {
                socket.close();
            }
        }
    }
}
