package dev.drpilot.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.List;

/** {@code drpilot detect}: one service alone, for running each as its own process or Deployment. */
@Command(name = "detect", mixinStandardHelpOptions = true,
        description = {"Run the detectors alone (Kafka Streams rules that turn observations into alerts) against a Kafka cluster.", "",
                "Needs kafka.bootstrapServers in the configuration or --bootstrap-servers."})
final class DetectCommand extends ServiceCommand {
    @CommandLine.Mixin
    ServiceListenOptions.Detect metrics = new ServiceListenOptions.Detect();

    @Override
    List<ServiceDefinition> services() {
        return List.of(Services.detect(metrics.address()));
    }
}
