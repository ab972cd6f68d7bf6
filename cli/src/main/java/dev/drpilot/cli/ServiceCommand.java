package dev.drpilot.cli;

import dev.drpilot.config.ConfigLoader;
import dev.drpilot.config.ConfigPrinter;
import dev.drpilot.config.DrpilotConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.drpilot.schemas.topic.Topic;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * What every long-running command shares: load and validate the configuration, connect to
 * Kafka (or start the embedded broker), create the topics its services use, start them, and
 * stop them cleanly on Ctrl-C or SIGTERM.
 */
abstract class ServiceCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(ServiceCommand.class);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "The YAML configuration (see docs/configuration.md). Without it, built-in defaults.")
    Path configFile;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,HOST:PORT]",
            description = "Kafka cluster to use; overrides kafka.bootstrapServers of the configuration.")
    String bootstrapServers;

    /** The services this command runs, in start order. */
    abstract List<ServiceDefinition> services();

    /** Only the all-in-one command may start a broker of its own. */
    boolean mayEmbedBroker() {
        return false;
    }

    Path stateDirOverride() {
        return null;
    }

    /** The topics to create before the services start: their own. */
    List<Topic<?, ?>> topics() {
        return topicsOf(services());
    }

    /** Checks what the command needs of the configuration, before anything connects to Kafka. */
    void check(DrpilotConfig config) {
    }

    @Override
    public Integer call() throws Exception {
        DrpilotConfig config = configFile == null ? DrpilotConfig.defaults() : ConfigLoader.load(configFile);
        check(config);
        String name = spec.commandLine().getCommandName();
        log.info("drpilot {} {}: configuration {} ({} components, {} clusters, {} probes, {} receivers)", name,
                VersionCommand.drpilotVersion(), configFile == null ? "built-in defaults" : configFile,
                config.components().size(), config.clusters().size(), config.probes().size(), config.receivers().size());
        if (log.isDebugEnabled()) {
            log.debug("Effective configuration (secrets masked):\n{}", ConfigPrinter.toYaml(config));
        }
        try (ServiceHost host = new ServiceHost(name)) {
            KafkaConnection kafka = KafkaConnection.open(config.kafka(), bootstrapServers, mayEmbedBroker(), stateDirOverride(), name);
            host.add("kafka", kafka);
            kafka.ensureTopics(topics());
            ServiceContext context = new ServiceContext(config, kafka.clientProperties(), Clock.systemUTC(), kafka.embeddedStateDir());
            for (ServiceDefinition service : services()) {
                host.add(service.name(), service.starter().start(context));
            }
            context.health().started();
            return host.runUntilShutdown(kafka.description());
        }
    }

    /** The topics of these services, each once, in order. */
    static List<Topic<?, ?>> topicsOf(List<ServiceDefinition> services) {
        LinkedHashSet<Topic<?, ?>> topics = new LinkedHashSet<>();
        services.forEach(service -> topics.addAll(service.topics()));
        return new ArrayList<>(topics);
    }
}
