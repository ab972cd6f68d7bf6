package dev.drpilot.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.List;

/** {@code drpilot act}: one service alone, for running each as its own process or Deployment. */
@Command(name = "act", mixinStandardHelpOptions = true,
        description = {"Run the actuators alone (alert delivery and failover runbooks) against a Kafka cluster.", "",
                "Needs kafka.bootstrapServers in the configuration or --bootstrap-servers."})
final class ActCommand extends ServiceCommand {
    @CommandLine.Mixin
    MetricsListenOption metrics = new MetricsListenOption();

    @Override
    List<ServiceDefinition> services() {
        return List.of(Services.act(metrics.address()), Services.FAILOVER);
    }
}
