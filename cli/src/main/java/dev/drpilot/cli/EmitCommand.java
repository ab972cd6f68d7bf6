package dev.drpilot.cli;

import dev.drpilot.config.Component;
import dev.drpilot.config.ConfigLoader;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.events.BackupObservation;
import dev.drpilot.events.BackupStatus;
import dev.drpilot.events.BackupTool;
import dev.drpilot.events.Source;
import dev.drpilot.schemas.topic.Topic;
import dev.drpilot.schemas.topic.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/** {@code drpilot emit ...}: report an observation from a script, e.g. a backup job's outcome. */
@Command(name = "emit", description = "Publish an observation from a script or cron job.",
        subcommands = {EmitCommand.Backup.class, CommandLine.HelpCommand.class})
final class EmitCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "backup", mixinStandardHelpOptions = true,
            description = {"Report a backup's outcome.", "",
                    "A failed wal-g backup-push leaves no trace in backup-list, so the backup job reports it itself, e.g. after the "
                            + "backup in its cron job:",
                    "",
                    "  wal-g backup-push $PGDATA && drpilot emit backup --component orders-data --status succeeded \\",
                    "    || drpilot emit backup --component orders-data --status failed --error \"backup-push exited $?\"",
                    "",
                    "Exits 0 once Kafka has acknowledged the observation, 1 if it could not be delivered."})
    static final class Backup implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "Configuration; the component must be declared in it.")
        Path configFile;

        @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT", description = "Kafka cluster; overrides kafka.bootstrapServers.")
        String bootstrapServers;

        @Option(names = "--component", required = true, description = "The component whose data the backup protects.")
        String component;

        @Option(names = "--status", required = true, description = "The outcome: succeeded or failed.")
        String status;

        @Option(names = "--error", description = "What went wrong (with --status failed).")
        String error;

        @Option(names = "--backup-name", description = "The backup's name or label.")
        String backupName;

        @Option(names = "--finished-at", paramLabel = "RFC3339", description = "When the backup finished (default: now).")
        Instant finishedAt;

        @Override
        public Integer call() throws Exception {
            DrpilotConfig config = configFile == null ? DrpilotConfig.defaults() : ConfigLoader.load(configFile);
            BackupStatus backupStatus = switch (status.toLowerCase(Locale.ROOT)) {
                case "succeeded", "success", "ok" -> BackupStatus.SUCCEEDED;
                case "failed", "failure" -> BackupStatus.FAILED;
                default -> throw new UsageException("--status: \"" + status + "\" is not succeeded or failed");
            };
            Optional<Component> declared = config.component(component);
            if (configFile != null && declared.isEmpty()) {
                throw new UsageException("--component: no component named \"" + component + "\" in " + configFile);
            }
            Optional<String> cluster = declared.flatMap(Component::cluster);
            Instant now = Instant.now();
            Instant finished = finishedAt != null ? finishedAt : now;
            BackupObservation observation = BackupObservation.newBuilder()
                    .setObservedAt(now)
                    .setSource(Source.newBuilder().setCollectorId(config.collector().id()).setVantage(config.collector().vantage()).build())
                    .setComponent(component)
                    .setCluster(cluster.orElse(null))
                    .setTool(BackupTool.REPORT)
                    .setStatus(backupStatus)
                    .setBackupName(backupName)
                    .setFinishedAt(finished)
                    .setRecoveryPointAt(backupStatus == BackupStatus.SUCCEEDED ? finished : null)
                    .setError(backupStatus == BackupStatus.FAILED ? (error == null ? "backup failed (no reason given)" : error) : null)
                    .build();

            try (KafkaConnection kafka = KafkaConnection.open(config.kafka(), bootstrapServers, false, null, "emit backup")) {
                Map<String, Object> props = kafka.oneShotProducerProperties();
                Topic<String, BackupObservation> topic = Topics.BACKUP_OBSERVATIONS;
                try (KafkaProducer<String, BackupObservation> producer =
                             new KafkaProducer<>(props, topic.keySerde().serializer(), topic.valueSerde().serializer())) {
                    RecordMetadata metadata = producer.send(new ProducerRecord<>(topic.name(), cluster.orElse(component), observation))
                            .get(40, TimeUnit.SECONDS);
                    spec.commandLine().getOut().printf("reported backup %s of %s (%s partition %d offset %d)%n",
                            backupStatus.name().toLowerCase(Locale.ROOT), component, topic.name(), metadata.partition(), metadata.offset());
                    spec.commandLine().getOut().flush();
                }
            }
            return ExitCodes.OK;
        }
    }
}
