package dev.drpilot.cli.drill;

import dev.drpilot.agent.NodeAgent;
import dev.drpilot.broker.EmbeddedKafkaBroker;
import dev.drpilot.cli.Main;
import dev.drpilot.config.AgentSettings;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.events.HealthObservation;
import dev.drpilot.localpg.PostgresCluster;
import dev.drpilot.localpg.PostgresInstallation;
import dev.drpilot.localpg.PostgresNode;
import dev.drpilot.runtime.WorkerHealth;
import dev.drpilot.schemas.topic.TopicAdmin;
import dev.drpilot.schemas.topic.Topics;
import dev.drpilot.testkit.KafkaTestClients;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.awaitility.Awaitility.await;

/**
 * {@code drpilot agent} beside each node of a drill's cluster, with the agent settings' defaults. Each runs in the drill's
 * JVM, but for the one named to run {@linkplain #start as its own process}: a {@code drpilot agent} JVM (the test class
 * path, {@link Main}) that {@link #killAgentProcess} ends with {@code kill -9}, its dead-man switch with it — a lost
 * machine takes its agent along without a word, where an agent that is closed says its lease is unguarded.
 */
public final class DrillAgents implements AutoCloseable {
    private final List<NodeAgent> inProcess = new ArrayList<>();
    private Process process;

    private DrillAgents() {
    }

    /** The {@code agent:} section a node of the drill gets: its data directory, the server's binaries, defaults otherwise. */
    public static String agentYaml(PostgresNode node) {
        String osUser = "root".equals(System.getProperty("user.name")) ? ", osUser: postgres" : "";
        // bench/failover --short-lease: the lease a team that wants a lost machine failed over within seconds would choose,
        // and an "alive" republished every 2 s: a dead agent's last word vouches for its interval + 1 s, which must end
        // before the remote probes' hold does (4 s with --fast-probes 5) or it, not the probes, sets the detection time.
        String lease = Boolean.getBoolean("drpilot.bench.shortLease")
                ? ", leaseTtl: 3s, renewInterval: 500ms, stopBudget: 1s, observationInterval: 2s" : "";
        return "{dataDir: " + node.dataDir() + ", bin: " + PostgresInstallation.find().bin() + osUser + ", bind: 127.0.0.1, listenPort: 0"
                + lease + "}";
    }

    /**
     * Starts an agent beside every node and waits until the primary's agent has said its server is up.
     *
     * @param ownProcess the node whose agent runs as a process of its own (to be killed), if any
     */
    public static DrillAgents start(EmbeddedKafkaBroker broker, PostgresCluster pg, String cluster, DrpilotConfig config, Path configFile,
                                    Optional<String> ownProcess) throws Exception {
        try (Admin admin = Admin.create(broker.clientProperties())) {
            TopicAdmin.ensureTopics(admin, NodeAgent.TOPICS, 0, Optional.empty(), Duration.ofSeconds(30));
        }
        DrillAgents agents = new DrillAgents();
        try (KafkaConsumer<String, HealthObservation> observations = KafkaTestClients.consumer(broker, new StringDeserializer(),
                Topics.HEALTH_OBSERVATIONS.valueSerde().deserializer())) {
            observations.subscribe(Set.of(Topics.HEALTH_OBSERVATIONS.name()));
            for (PostgresNode node : pg.nodes()) {
                if (ownProcess.filter(node.name()::equals).isPresent()) {
                    agents.process = launch(broker, cluster, node.name(), configFile);
                } else {
                    agents.inProcess.add(NodeAgent.of(config, cluster, node.name(), broker.clientProperties(), new WorkerHealth()).start());
                }
            }
            String primaryAgent = AgentSettings.collectorId(cluster, pg.primary().name());
            await("the primary's agent says its server is up").atMost(Duration.ofSeconds(60)).until(() -> {
                for (ConsumerRecord<String, HealthObservation> record : observations.poll(Duration.ofMillis(200))) {
                    HealthObservation observation = record.value();
                    if (observation != null && primaryAgent.equals(observation.getSource().getCollectorId())
                            && "up".equals(observation.getDetails().get("agentVerdict"))) {
                        return true;
                    }
                }
                return false;
            });
        } catch (Exception | AssertionError e) {
            agents.close();
            throw e;
        }
        return agents;
    }

    private static Process launch(EmbeddedKafkaBroker broker, String cluster, String node, Path configFile) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString(), "-Xmx256m", "-cp", System.getProperty("java.class.path")));
        String logback = System.getProperty("logback.configurationFile");
        if (logback != null) {
            command.add("-Dlogback.configurationFile=" + logback);
        }
        command.addAll(List.of(Main.class.getName(), "agent", "--config", configFile.toString(), "--cluster", cluster, "--node", node,
                "--bootstrap-servers", String.valueOf(broker.clientProperties().get("bootstrap.servers"))));
        Path log = Files.createTempFile("drpilot-drill-agent-" + node + "-", ".log");
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** {@code kill -9} of the agent that runs as its own process, and of its children (the dead-man switch): a lost machine. */
    public void killAgentProcess() {
        if (process == null) {
            throw new IllegalStateException("no agent runs as a process of its own");
        }
        List<ProcessHandle> children = process.toHandle().descendants().toList();
        process.destroyForcibly();
        children.forEach(ProcessHandle::destroyForcibly);
    }

    @Override
    public void close() {
        for (NodeAgent agent : inProcess) {
            agent.close();
        }
        if (process != null && process.isAlive()) {
            killAgentProcess();
        }
    }
}
