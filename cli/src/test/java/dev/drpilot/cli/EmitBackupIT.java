package dev.drpilot.cli;

import dev.drpilot.broker.EmbeddedKafkaBroker;
import dev.drpilot.events.BackupObservation;
import dev.drpilot.events.BackupStatus;
import dev.drpilot.events.BackupTool;
import dev.drpilot.schemas.topic.TopicAdmin;
import dev.drpilot.schemas.topic.Topics;
import dev.drpilot.testkit.EmbeddedKafkaExtension;
import dev.drpilot.testkit.KafkaTestClients;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code drpilot emit backup}, as a cron job runs it, against a real broker. */
@ExtendWith(EmbeddedKafkaExtension.class)
class EmitBackupIT {
    @TempDir
    Path dir;

    private final CliRun cli = new CliRun();
    private final java.io.StringWriter out = cli.out;
    private final java.io.StringWriter err = cli.err;

    private int run(String... args) {
        return cli.run(args);
    }

    @Test
    void aFailedBackupReportArrivesKeyedByTheComponentsCluster(EmbeddedKafkaBroker broker) throws Exception {
        try (Admin admin = Admin.create(broker.clientProperties())) {
            TopicAdmin.ensureTopics(admin, List.of(Topics.BACKUP_OBSERVATIONS), 1, Optional.empty(), Duration.ofSeconds(30));
        }
        Path config = dir.resolve("drpilot.yaml");
        Files.writeString(config, """
                collector: {id: backup-cron, vantage: db-host}
                components:
                  - {name: orders-db, kind: database, cluster: orders}
                clusters:
                  orders:
                    component: orders-db
                    nodes: [{name: pg-1, role: primary, host: 10.0.0.1}]
                """);

        int exit = run("emit", "backup", "--config", config.toString(), "--bootstrap-servers", broker.bootstrapServers(),
                "--component", "orders-db", "--status", "failed", "--error", "wal-g backup-push exited 1: connection refused");

        assertThat(exit).as(err.toString()).isZero();
        assertThat(out.toString()).startsWith("reported backup failed of orders-db (drpilot.observations.backup partition 0 offset ");
        List<ConsumerRecord<String, BackupObservation>> records = KafkaTestClients.read(broker, Topics.BACKUP_OBSERVATIONS.name(), 50,
                Topics.BACKUP_OBSERVATIONS.keySerde().deserializer(), Topics.BACKUP_OBSERVATIONS.valueSerde().deserializer(),
                Duration.ofSeconds(5));
        ConsumerRecord<String, BackupObservation> reported = records.stream()
                .filter(record -> "backup-cron".equals(record.value().getSource().getCollectorId())).findFirst().orElseThrow();
        assertThat(reported.key()).isEqualTo("orders");
        assertThat(reported.value().getStatus()).isEqualTo(BackupStatus.FAILED);
        assertThat(reported.value().getTool()).isEqualTo(BackupTool.REPORT);
        assertThat(reported.value().getError()).isEqualTo("wal-g backup-push exited 1: connection refused");
        assertThat(reported.value().getRecoveryPointAt()).isNull();
    }

    @Test
    void anUndeclaredComponentOrAnUnknownStatusIsAUsageError(EmbeddedKafkaBroker broker) throws Exception {
        Path config = dir.resolve("drpilot.yaml");
        Files.writeString(config, "components: [{name: orders-db, kind: database}]\n");

        assertThat(run("emit", "backup", "--config", config.toString(), "--bootstrap-servers", broker.bootstrapServers(),
                "--component", "billing-db", "--status", "failed")).isEqualTo(2);
        assertThat(err.toString()).contains("--component: no component named \"billing-db\"");

        assertThat(run("emit", "backup", "--bootstrap-servers", broker.bootstrapServers(),
                "--component", "orders-db", "--status", "maybe")).isEqualTo(2);
        assertThat(err.toString()).contains("--status: \"maybe\" is not succeeded or failed");
    }
}
