package dev.drpilot.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.List;

/** {@code drpilot ingest}: one service alone, for running each as its own process or Deployment. */
@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = {"Run the collectors alone (replication, health and backup observations, heartbeats) against a Kafka cluster.", "",
                "Needs kafka.bootstrapServers in the configuration or --bootstrap-servers."})
final class IngestCommand extends ServiceCommand {
    @CommandLine.Mixin
    ServiceListenOptions.Ingest metrics = new ServiceListenOptions.Ingest();

    @Override
    List<ServiceDefinition> services() {
        return List.of(Services.ingest(metrics.address()));
    }
}
