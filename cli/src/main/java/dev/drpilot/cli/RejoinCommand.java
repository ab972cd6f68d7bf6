package dev.drpilot.cli;

import dev.drpilot.config.ClusterConfig;
import dev.drpilot.config.ConfigLoader;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.config.NodeConfig;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.FailoverCommand;
import dev.drpilot.events.FailoverMode;
import dev.drpilot.failover.OperatorControls;
import dev.drpilot.schemas.topic.TopicAdmin;
import dev.drpilot.schemas.topic.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/** {@code drpilot rejoin CLUSTER NODE}: a replaced old primary made a replica of the current primary, by its node agent. */
@Command(name = "rejoin", mixinStandardHelpOptions = true,
        description = {"Make NODE, an old primary that a failover or switchover replaced, a streaming replica of CLUSTER's current primary.", "",
                "The failover actuator checks that NODE is not the current primary and has an agent, then asks NODE's agent, which "
                        + "stops the server if it still runs, rewinds it with pg_rewind (or, with --allow-base-backup, replaces it by a "
                        + "fresh base backup, keeping the old data directory aside), starts it and confirms it streams. The outcome, with "
                        + "the writes the old primary took that no replica had, is recorded on drpilot.actions: follow it with drpilot "
                        + "failover history."})
final class RejoinCommand implements Callable<Integer> {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", required = true, description = "The configuration declaring the cluster.")
    Path configFile;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT", description = "Kafka cluster; overrides kafka.bootstrapServers.")
    String bootstrapServers;

    @Parameters(index = "0", paramLabel = "CLUSTER", description = "The cluster.")
    String cluster;

    @Parameters(index = "1", paramLabel = "NODE", description = "The old primary to rejoin as a replica.")
    String node;

    @Option(names = "--allow-base-backup", description = "When pg_rewind cannot be used or fails, replace the data directory by a fresh base backup (the old one is renamed "
            + "aside, never deleted).")
    boolean allowBaseBackup;

    @Option(names = "--by", paramLabel = "NAME", description = "Who asks, for the audit trail (default: $USER).")
    String by;

    @Override
    public Integer call() throws Exception {
        DrpilotConfig config = ConfigLoader.load(configFile);
        ClusterConfig declared = config.clusters().get(cluster);
        if (declared == null) {
            throw new UsageException("no cluster named \"" + cluster + "\" in " + configFile + " (clusters: " + String.join(", ", config.clusters().keySet()) + ")");
        }
        NodeConfig rejoining = declared.node(node).orElseThrow(() -> new UsageException("cluster " + cluster + " has no node named \"" + node
                + "\" (nodes: " + String.join(", ", declared.nodes().stream().map(NodeConfig::name).toList()) + ")"));
        if (rejoining.agent().isEmpty()) {
            throw new UsageException("node " + node + " of cluster " + cluster + " has no agent (clusters." + cluster + ".nodes["
                    + declared.nodes().indexOf(rejoining) + "].agent): nothing on its host can rejoin it");
        }
        try (KafkaConnection kafka = KafkaConnection.open(config.kafka(), bootstrapServers, false, null, "rejoin")) {
            Instant now = Instant.now();
            String incident = "rejoin-" + cluster + "-" + node + "-" + STAMP.format(now);
            String who = by != null ? by : System.getenv().getOrDefault("USER", "an operator");
            String principal = KafkaPrincipal.of(kafka.clientProperties());
            String request = "rejoin of " + node + (allowBaseBackup ? " (a base backup allowed)" : "") + " requested by " + who
                    + " as Kafka principal " + principal;
            // force, for a rejoin, is the permission to replace the data directory: like every forced command, an operator's only.
            FailoverCommand command = FailoverCommand.newBuilder().setCommandId(incident + "/rejoin").setIncidentId(incident).setCluster(cluster)
                    .setComponent(declared.component()).setFailedNode(node).setReason(request).setMode(FailoverMode.REJOIN)
                    .setForce(allowBaseBackup).setDetectedAt(now).setIssuedAt(now).build();
            try (Admin admin = Admin.create(kafka.clientProperties())) {
                TopicAdmin.ensureTopics(admin, List.of(Topics.FAILOVER_COMMANDS, Topics.FAILOVER_CONTROL, Topics.ACTIONS),
                        config.kafka().partitions(), config.kafka().replicationFactor(), Duration.ofSeconds(30));
            }
            // The order first: the actuator carries out a rejoin only with an order on the control topic, which only the
            // operator's principal may write.
            try (KafkaProducer<String, ActionRecord> orders = new KafkaProducer<>(kafka.oneShotProducerProperties(), new StringSerializer(),
                    Topics.FAILOVER_CONTROL.valueSerde().serializer())) {
                new OperatorControls.Writer(orders, Clock.systemUTC(), principal).order(incident, cluster, who, request);
            }
            try (KafkaProducer<String, FailoverCommand> producer = new KafkaProducer<>(kafka.oneShotProducerProperties(), new StringSerializer(),
                    Topics.FAILOVER_COMMANDS.valueSerde().serializer())) {
                producer.send(new ProducerRecord<>(Topics.FAILOVER_COMMANDS.name(), cluster, command)).get(40, TimeUnit.SECONDS);
            }
            spec.commandLine().getOut().printf("rejoin of %s (cluster %s) onto its current primary requested as %s%s%n"
                            + "its agent stops, rewinds and restarts it as a replica; follow it with:%n"
                            + "  drpilot failover history --config %s --cluster %s%n", node, cluster, incident,
                    allowBaseBackup ? " (a base backup allowed)" : "", configFile, cluster);
        }
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }
}
