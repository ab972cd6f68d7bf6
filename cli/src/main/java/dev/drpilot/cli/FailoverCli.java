package dev.drpilot.cli;

import dev.drpilot.actuator.failover.AuditLog;
import dev.drpilot.actuator.failover.FailoverHistory;
import dev.drpilot.config.ConfigLoader;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.config.Durations;
import dev.drpilot.events.ActionRecord;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code drpilot failover ...}: what the failover actuator did. */
@Command(name = "failover", description = "Failovers: what was done, step by step.",
        subcommands = {FailoverCli.History.class, CommandLine.HelpCommand.class})
final class FailoverCli implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "history", mixinStandardHelpOptions = true,
            description = {"Print the failovers on record (drpilot.actions): each incident with its outcome, recovery time",
                    "and data-loss estimate, and its steps with their durations."})
    static final class History implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "The configuration (for the Kafka connection).")
        Path configFile;

        @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT", description = "Kafka cluster; overrides kafka.bootstrapServers.")
        String bootstrapServers;

        @Option(names = "--since", paramLabel = "DURATION", defaultValue = "30d", description = "How far back, e.g. 24h, 30d (default ${DEFAULT-VALUE}).")
        String since;

        @Option(names = "--cluster", description = "Only this cluster's failovers.")
        String cluster;

        @Override
        public Integer call() throws Exception {
            DrpilotConfig config = configFile == null ? DrpilotConfig.defaults() : ConfigLoader.load(configFile);
            Duration back;
            try {
                back = Durations.parse(since);
            } catch (IllegalArgumentException e) {
                throw new UsageException("--since: " + e.getMessage());
            }
            try (KafkaConnection kafka = KafkaConnection.open(config.kafka(), bootstrapServers, false, null, "failover history")) {
                List<ActionRecord> records = AuditLog.read(kafka.clientProperties(), Instant.now().minus(back),
                        record -> cluster == null || cluster.equals(record.getCluster()));
                spec.commandLine().getOut().print(FailoverHistory.format(records));
                spec.commandLine().getOut().flush();
            }
            return ExitCodes.OK;
        }
    }
}
