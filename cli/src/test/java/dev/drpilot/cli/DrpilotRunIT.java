package dev.drpilot.cli;

import dev.drpilot.events.CollectorHeartbeat;
import dev.drpilot.schemas.topic.Topic;
import dev.drpilot.schemas.topic.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import dev.drpilot.broker.EmbeddedKafkaBroker;
import dev.drpilot.testkit.EmbeddedKafkaExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Runs the packaged distribution ({@code bin/drpilot run}) as a user would: a separate JVM with
 * its embedded broker; checks it creates the topics, publishes heartbeats, stops on SIGTERM and
 * keeps its events across a restart.
 */
class DrpilotRunIT {
    private static final Path LAUNCHER = Path.of("target", "drpilot-dist", "bin", "drpilot").toAbsolutePath();
    private static final Pattern READY = Pattern.compile("running on the embedded Kafka broker at (127\\.0\\.0\\.1:\\d+)");

    @TempDir
    Path work;

    private Process process;

    @AfterEach
    void killLeftovers() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
        }
    }

    @Test
    void runCreatesTheTopicsPublishesHeartbeatsAndStopsCleanlyOnSigterm() throws Exception {
        Path config = writeConfig();

        Started first = start(config, "first.log");
        assertThat(topicNames(first.bootstrap())).containsAll(Topics.all().stream().map(Topic::name).toList());
        List<ConsumerRecord<String, CollectorHeartbeat>> heartbeats = heartbeats(first.bootstrap(), 2);
        assertThat(heartbeats).hasSizeGreaterThanOrEqualTo(2);
        assertThat(heartbeats.get(0).key()).isEqualTo("it-collector");
        assertThat(heartbeats.get(0).value().getVantage()).isEqualTo("it-vantage");

        stopWithSigterm(first.log());

        // The same state directory: the heartbeats of the first run are still there.
        Started second = start(config, "second.log");
        List<ConsumerRecord<String, CollectorHeartbeat>> afterRestart = heartbeats(second.bootstrap(), heartbeats.size() + 1);
        assertThat(afterRestart.subList(0, 2))
                .extracting(record -> record.value().getSentAt())
                .containsExactly(heartbeats.get(0).value().getSentAt(), heartbeats.get(1).value().getSentAt());
        stopWithSigterm(second.log());
    }

    private record Started(String bootstrap, Path log) {
    }

    private Path writeConfig() throws IOException {
        Path config = work.resolve("drpilot.yaml");
        Files.writeString(config, String.join("\n",
                "kafka:",
                "  embedded:",
                "    stateDir: " + work.resolve("kafka"),
                "    port: 0",
                "ingestApi:",
                "  port: 0",
                "collector:",
                "  id: it-collector",
                "  vantage: it-vantage",
                "  heartbeatInterval: 1s",
                ""));
        return config;
    }

    @Test
    @ExtendWith(EmbeddedKafkaExtension.class)
    void ingestAloneRunsAgainstAnExistingKafkaCluster(EmbeddedKafkaBroker broker) throws Exception {
        Path config = writeConfig();
        Path log = work.resolve("ingest.log");
        process = new ProcessBuilder(LAUNCHER.toString(), "ingest", "--config", config.toString(),
                "--bootstrap-servers", broker.bootstrapServers())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        await("drpilot ingest to report it is running (log " + log + ")").atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(200))
                .failFast("drpilot exited early", () -> !process.isAlive())
                .until(() -> Files.readString(log).contains("drpilot ingest running on Kafka at " + broker.bootstrapServers()));

        assertThat(heartbeats(broker.bootstrapServers(), 1)).isNotEmpty();
        process.destroy();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readString(log)).contains("drpilot ingest: ingest stopped", "drpilot ingest: stopped cleanly")
                .doesNotContain("embedded Kafka broker");
    }

    private Started start(Path config, String logName) throws IOException {
        Path log = work.resolve(logName);
        process = new ProcessBuilder(LAUNCHER.toString(), "run", "--config", config.toString(), "--metrics-listen", "127.0.0.1:0")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        String[] bootstrap = new String[1];
        await("drpilot run to report it is running (log " + log + ")")
                .atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(200))
                .failFast("drpilot exited early", () -> !process.isAlive())
                .until(() -> {
                    Matcher matcher = READY.matcher(Files.readString(log));
                    if (matcher.find()) {
                        bootstrap[0] = matcher.group(1);
                        return true;
                    }
                    return false;
                });
        return new Started(bootstrap[0], log);
    }

    private void stopWithSigterm(Path log) throws Exception {
        process.destroy(); // SIGTERM on Linux
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("drpilot stops within 60 s of SIGTERM").isTrue();
        assertThat(process.exitValue()).isEqualTo(143); // 128 + SIGTERM: the JVM's exit after shutdown hooks
        String output = Files.readString(log);
        assertThat(output)
                .contains("drpilot run: ingest stopped")
                .contains("drpilot run: act stopped")
                .contains("drpilot run: kafka stopped")
                .contains("drpilot run: stopped cleanly")
                .doesNotContain("did not stop cleanly");
    }

    private static Set<String> topicNames(String bootstrap) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            return admin.listTopics().names().get(30, TimeUnit.SECONDS);
        }
    }

    private static List<ConsumerRecord<String, CollectorHeartbeat>> heartbeats(String bootstrap, int atLeast) {
        Topic<String, CollectorHeartbeat> topic = Topics.COLLECTOR_HEARTBEATS;
        Map<String, Object> props = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "it-reader-" + System.nanoTime(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<String, CollectorHeartbeat>> records = new ArrayList<>();
        try (KafkaConsumer<String, CollectorHeartbeat> consumer =
                     new KafkaConsumer<>(props, topic.keySerde().deserializer(), topic.valueSerde().deserializer())) {
            consumer.subscribe(Set.of(topic.name()));
            await("at least " + atLeast + " heartbeats").atMost(Duration.ofSeconds(60)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return records.size() >= atLeast;
            });
        }
        return records;
    }
}
