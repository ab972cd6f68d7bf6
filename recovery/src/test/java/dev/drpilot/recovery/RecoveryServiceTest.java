package dev.drpilot.recovery;

import dev.drpilot.config.ConfigLoader;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.events.RestoreCheck;
import dev.drpilot.schemas.topic.Topics;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The service runs a check when its schedule comes due and publishes the outcome, keyed by component — a refusal included. */
class RecoveryServiceTest {
    // 100 ms before the cron schedule "0 4 * * *" fires.
    private static final Clock JUST_BEFORE_FOUR = Clock.fixed(Instant.parse("2026-12-01T03:59:59.900Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    @Test
    void aDueCheckRunsAndItsOutcomeIsPublished() throws IOException {
        Path scratch = Files.createDirectories(dir.resolve("scratch"));
        Files.writeString(scratch.resolve("someone-elses-file"), "keep");
        DrpilotConfig config = ConfigLoader.parse("""
                components: [{name: orders-db, kind: database, rto: 1h, rpo: 15m}]
                backups:
                  - component: orders-db
                    tool: pgbackrest
                    stanza: main
                    restoreCheck: {schedule: "0 4 * * *", scratchDirectory: %s}
                """.formatted(scratch), "test", name -> null);
        MockProducer<String, RestoreCheck> producer = new MockProducer<>(true, null, Serdes.String().serializer(),
                Topics.RESTORE_CHECKS.valueSerde().serializer());
        RestoreCheckRunner runner = new RestoreCheckRunner(config, JUST_BEFORE_FOUR, "restore-1", dir.resolve("lock"));

        try (RecoveryService service = new RecoveryService(config, runner, producer, JUST_BEFORE_FOUR).start()) {
            await().atMost(Duration.ofSeconds(10)).until(() -> !producer.history().isEmpty());

            assertThat(service.alive()).isTrue();
        }
        assertThat(producer.history().get(0).key()).isEqualTo("orders-db");
        assertThat(producer.history().get(0).value().getError().toString())
                .startsWith("refused: backups[0].restoreCheck.scratchDirectory: " + scratch + " is not empty");
        assertThat(producer.history().get(0).value().getTargetTime()).as("now - RPO").isEqualTo(Instant.parse("2026-12-01T03:44:59.900Z"));
        assertThat(scratch.resolve("someone-elses-file")).hasContent("keep");
    }
}
