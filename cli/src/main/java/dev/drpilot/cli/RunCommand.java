package dev.drpilot.cli;

import dev.drpilot.agent.NodeAgent;
import dev.drpilot.schemas.topic.Topic;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code drpilot run}: every service in one process. */
@Command(name = "run",
        description = {"Run the whole pipeline in one process: collectors, detectors and actuators.", "",
                "Without kafka.bootstrapServers (or --bootstrap-servers) it starts an embedded Kafka broker whose data is kept in "
                        + "kafka.embedded.stateDir (default ./var/kafka), so a restart keeps the events."},
        mixinStandardHelpOptions = true)
final class RunCommand extends ServiceCommand {
    @CommandLine.Mixin
    MetricsListenOption metrics = new MetricsListenOption();

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "Where the embedded broker keeps its data; overrides kafka.embedded.stateDir.")
    Path stateDir;

    @Override
    List<ServiceDefinition> services() {
        return List.of(Services.INGEST, Services.DETECT, Services.act(metrics.address()), Services.FAILOVER);
    }

    /** The all-in-one owns its broker: it also creates the topics of the node agents that run beside it. */
    @Override
    List<Topic<?, ?>> topics() {
        List<Topic<?, ?>> topics = new ArrayList<>(super.topics());
        topics.addAll(NodeAgent.TOPICS.stream().filter(topic -> !topics.contains(topic)).toList());
        return topics;
    }

    @Override
    boolean mayEmbedBroker() {
        return true;
    }

    @Override
    Path stateDirOverride() {
        return stateDir;
    }
}
