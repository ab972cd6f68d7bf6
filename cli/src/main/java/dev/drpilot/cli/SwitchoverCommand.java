package dev.drpilot.cli;

import dev.drpilot.config.ClusterConfig;
import dev.drpilot.config.ConfigLoader;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.FailoverCommand;
import dev.drpilot.events.FailoverMode;
import dev.drpilot.failover.OperatorControls;
import dev.drpilot.schemas.topic.TopicAdmin;
import dev.drpilot.schemas.topic.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/** {@code drpilot switchover CLUSTER --to NODE}: a planned change of primary, carried out by the failover actuator. */
@Command(name = "switchover", mixinStandardHelpOptions = true,
        description = {"Make NODE the primary of CLUSTER, on purpose (maintenance, a zone move).", "",
                "The failover actuator fences the current primary (read-only), waits until NODE has replayed everything it wrote, "
                        + "promotes NODE, points the other replicas at it and verifies. No cooldown, pause or manual approval applies to an "
                        + "operator's own switchover. The old primary stays read-only: rejoin it as a replica with pg_rewind. Follow it "
                        + "with drpilot failover history."})
final class SwitchoverCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", required = true, description = "The configuration declaring the cluster.")
    Path configFile;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT", description = "Kafka cluster; overrides kafka.bootstrapServers.")
    String bootstrapServers;

    @Parameters(paramLabel = "CLUSTER", description = "The cluster.")
    String cluster;

    @Option(names = "--to", paramLabel = "NODE", required = true, description = "The replica to make the primary.")
    String target;

    @Option(names = "--force", description = "Switch over to a node tagged nofailover.")
    boolean force;

    @Override
    public Integer call() throws Exception {
        DrpilotConfig config = ConfigLoader.load(configFile);
        ClusterConfig declared = config.clusters().get(cluster);
        if (declared == null) {
            throw new UsageException("no cluster named \"" + cluster + "\" in " + configFile + " (clusters: " + String.join(", ", config.clusters().keySet()) + ")");
        }
        if (declared.node(target).isEmpty()) {
            throw new UsageException("--to: cluster " + cluster + " has no node named \"" + target + "\"");
        }
        try (KafkaConnection kafka = KafkaConnection.open(config.kafka(), bootstrapServers, false, null, "switchover")) {
            Instant now = Instant.now();
            String incident = "switchover-" + cluster + "-" + DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(now);
            // $USER is the caller's claim; the Kafka principal is what the brokers authenticated and authorized.
            String who = System.getenv().getOrDefault("USER", "an operator");
            String principal = KafkaPrincipal.of(kafka.clientProperties());
            String request = "switchover to " + target + (force ? " (forced)" : "") + " requested by " + who + " as Kafka principal " + principal;
            FailoverCommand command = FailoverCommand.newBuilder().setCommandId(incident + "/switchover").setIncidentId(incident)
                    .setCluster(cluster).setComponent(declared.component()).setReason(request)
                    .setMode(FailoverMode.SWITCHOVER).setTargetNode(target).setForce(force).setDetectedAt(now).setIssuedAt(now).build();
            try (Admin admin = Admin.create(kafka.clientProperties())) {
                TopicAdmin.ensureTopics(admin, List.of(Topics.FAILOVER_COMMANDS, Topics.FAILOVER_CONTROL, Topics.ACTIONS),
                        config.kafka().partitions(), config.kafka().replicationFactor(), Duration.ofSeconds(30));
            }
            Map<String, Object> props = new HashMap<>(kafka.clientProperties());
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            // The order first: the actuator carries out a switchover only once it finds the order on the control topic,
            // which only the operator's principal may write (the detector may write commands, never orders).
            try (KafkaProducer<String, ActionRecord> orders = new KafkaProducer<>(props, new StringSerializer(),
                    Topics.FAILOVER_CONTROL.valueSerde().serializer())) {
                new OperatorControls.Writer(orders, Clock.systemUTC(), principal).order(incident, cluster, who, request);
            }
            try (KafkaProducer<String, FailoverCommand> producer = new KafkaProducer<>(props, new StringSerializer(),
                    Topics.FAILOVER_COMMANDS.valueSerde().serializer())) {
                producer.send(new ProducerRecord<>(Topics.FAILOVER_COMMANDS.name(), cluster, command)).get(30, TimeUnit.SECONDS);
            }
            spec.commandLine().getOut().printf("switchover of %s to %s requested as %s%n", cluster, target, incident);
        }
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }
}
