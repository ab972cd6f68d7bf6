package dev.drpilot.cli;

import dev.drpilot.agent.NodeAgent;
import dev.drpilot.config.DrpilotConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;

/** {@code drpilot agent}: the node agent beside one PostgreSQL server (docs/agent.md). */
@Command(name = "agent", mixinStandardHelpOptions = true,
        description = {"Run the node agent beside one PostgreSQL server.", "",
                "The agent holds the cluster's lease while its node is primary and stops the node taking writes when it cannot renew "
                        + "it, and publishes its own evidence of the server's health. Its settings are the node's agent: section of the "
                        + "configuration (validated by 'drpilot config check'); /healthz and /readyz listen on agent.bind:agent.listenPort. "
                        + "Needs kafka.bootstrapServers or --bootstrap-servers."})
final class AgentCommand extends ServiceCommand {
    @Option(names = "--cluster", required = true, paramLabel = "CLUSTER", description = "The cluster of the node, as named under clusters:.")
    String cluster;

    @Option(names = "--node", required = true, paramLabel = "NODE", description = "The node this agent runs beside, as named in the cluster's nodes.")
    String node;

    @Override
    void check(DrpilotConfig config) {
        try {
            NodeAgent.settings(config, cluster, node);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    @Override
    List<ServiceDefinition> services() {
        return List.of(new ServiceDefinition("agent", NodeAgent.TOPICS, context ->
                NodeAgent.of(context.config(), cluster, node, context.kafkaClientProperties(), context.health()).start()));
    }
}
