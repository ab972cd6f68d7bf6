package dev.drpilot.ingest.backup;

import dev.drpilot.config.BackupSource;
import dev.drpilot.events.BackupObservation;
import dev.drpilot.events.BackupStatus;
import dev.drpilot.events.BackupTool;
import dev.drpilot.events.Source;
import dev.drpilot.schemas.topic.Topics;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The backup poller against stand-in executables: a real process with real exit codes, output and hangs. */
class BackupCollectorTest {
    private static final Instant NOW = Instant.parse("2026-11-24T03:00:00Z");
    private static final Source SOURCE = Source.newBuilder().setCollectorId("c1").setVantage("eu").build();

    @TempDir
    Path dir;

    private final MockProducer<String, BackupObservation> producer = new MockProducer<>(true, null,
            Serdes.String().serializer(), Topics.BACKUP_OBSERVATIONS.valueSerde().serializer());

    private Path standIn(String script) throws IOException {
        Path file = dir.resolve("wal-g");
        Files.writeString(file, "#!/bin/sh\n" + script + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    private BackupObservation observe(Path command, Duration timeout) {
        BackupSource source = new BackupSource("orders-data", BackupSource.Tool.WAL_G,
                Optional.of(command + " backup-list --detail --json"), Optional.empty(), Duration.ofMinutes(5), timeout, Optional.empty());
        BackupCollector collector = new BackupCollector(source, Optional.of("orders"), SOURCE, producer, Clock.fixed(NOW, ZoneOffset.UTC));
        collector.run();
        assertThat(producer.history()).hasSize(1);
        assertThat(producer.history().get(0).key()).isEqualTo("orders");
        return producer.history().get(0).value();
    }

    @Test
    void aGoodListingBecomesTheRecoveryPoint() throws IOException {
        Path recorded = Path.of("src/test/resources/backup/wal-g-backup-list.json").toAbsolutePath();
        BackupObservation observation = observe(standIn("cat " + recorded), Duration.ofSeconds(10));

        assertThat(observation.getStatus()).isEqualTo(BackupStatus.SUCCEEDED);
        assertThat(observation.getTool()).isEqualTo(BackupTool.WAL_G);
        assertThat(observation.getRecoveryPointAt()).isEqualTo(Instant.parse("2026-11-24T02:00:05.999001Z"));
        assertThat(observation.getObservedAt()).isEqualTo(NOW);
        assertThat(observation.getComponent()).isEqualTo("orders-data");
        assertThat(observation.getCluster()).isEqualTo("orders");
    }

    @Test
    void aNonZeroExitIsAFailedObservationCarryingStderr() throws IOException {
        BackupObservation observation = observe(standIn("echo 'ERROR: 2026/11/24 03:00:00 AccessDenied: s3 bucket' >&2; exit 1"),
                Duration.ofSeconds(10));

        assertThat(observation.getStatus()).isEqualTo(BackupStatus.FAILED);
        assertThat(observation.getError()).endsWith("exited 1: ERROR: 2026/11/24 03:00:00 AccessDenied: s3 bucket");
        assertThat(observation.getRecoveryPointAt()).isNull();
    }

    @Test
    void aCommandThatHangsTimesOutAndFails() throws IOException {
        long started = System.nanoTime();
        BackupObservation observation = observe(standIn("echo 'connecting...' >&2; exec sleep 30"), Duration.ofMillis(500));

        assertThat(observation.getStatus()).isEqualTo(BackupStatus.FAILED);
        assertThat(observation.getError()).contains("timed out after 500ms: connecting...");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
    }

    @Test
    void garbageOutputIsAFailedObservationQuotingIt() throws IOException {
        BackupObservation observation = observe(standIn("echo 'this is not json'"), Duration.ofSeconds(10));

        assertThat(observation.getStatus()).isEqualTo(BackupStatus.FAILED);
        assertThat(observation.getError()).startsWith("wal-g printed no JSON").endsWith("output began: this is not json");
    }

    @Test
    void aMissingExecutableIsAFailedObservation() {
        BackupObservation observation = observe(dir.resolve("no-such-wal-g"), Duration.ofSeconds(10));

        assertThat(observation.getStatus()).isEqualTo(BackupStatus.FAILED);
        assertThat(observation.getError()).contains("exited 127").contains("not found");
    }
}
