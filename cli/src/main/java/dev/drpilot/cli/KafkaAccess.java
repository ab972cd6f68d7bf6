package dev.drpilot.cli;

import dev.drpilot.config.ConfigLoader;
import dev.drpilot.config.DrpilotConfig;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** The options of the short-lived commands that only talk to Kafka: the configuration and the cluster to reach. */
final class KafkaAccess {
    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "The configuration (for the Kafka connection).")
    Path configFile;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT", description = "Kafka cluster; overrides kafka.bootstrapServers.")
    String bootstrapServers;

    DrpilotConfig config() {
        return configFile == null ? DrpilotConfig.defaults() : ConfigLoader.load(configFile);
    }

    /** Opens the connection (never an embedded broker: these commands talk to a running drpilot's Kafka). */
    KafkaConnection open(DrpilotConfig config, String command) {
        return KafkaConnection.open(config.kafka(), bootstrapServers, false, null, command);
    }
}
