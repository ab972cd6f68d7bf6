package dev.drpilot.agent;

import com.sun.net.httpserver.HttpServer;
import dev.drpilot.agent.command.CommandHandler;
import dev.drpilot.agent.command.CommandLoop;
import dev.drpilot.agent.failsafe.FailsafePeers;
import dev.drpilot.agent.failsafe.FailsafeResponder;
import dev.drpilot.agent.command.RejoinHandler;
import dev.drpilot.agent.rejoin.RejoinTimeouts;
import dev.drpilot.config.AgentSettings;
import dev.drpilot.config.ClusterConfig;
import dev.drpilot.config.ConfigNames;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.config.NodeConfig;
import dev.drpilot.events.AgentCommandKind;
import dev.drpilot.events.LeaseState;
import dev.drpilot.runtime.HealthHttpHandler;
import dev.drpilot.runtime.StartedResources;
import dev.drpilot.runtime.WorkerHealth;
import dev.drpilot.schemas.topic.Topic;
import dev.drpilot.schemas.topic.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code drpilot agent}: the node agent beside one PostgreSQL server, assembled from its node's {@code agent:}
 * settings. Three loops — the postmaster watch (local evidence, the role the lease follows), the lease keeper
 * (renewals on drpilot.agent.leases) and the fence guard (the lease's age; the fence; the dead-man switch) — each on
 * the health endpoint, which listens on the agent's own address. Beside them: the commands the failover actuator sends it
 * ({@link CommandLoop}: FENCE, PROMOTION_INTENT, REJOIN — {@link RejoinHandler}) and the cluster's leases as other agents write them ({@link LeaseWatch}:
 * a node that answers as primary while another holds the lease was replaced, and is fenced at once). In a failsafe
 * cluster two more loops (the failsafe keeper, the lease topic's reader) and {@code POST /failsafe} on the same listener
 * (docs/agent.md).
 */
public final class NodeAgent implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NodeAgent.class);

    /** The topics the agent writes or reads. */
    public static final List<Topic<?, ?>> TOPICS = List.of(Topics.AGENT_LEASES, Topics.HEALTH_OBSERVATIONS, Topics.AGENT_COMMANDS,
            Topics.AGENT_REPLIES);

    private final AgentSettings settings;
    private final AgentIdentity identity;
    private final Map<String, Object> kafkaClientProperties;
    private final WorkerHealth health;
    private final NanoClock clock;
    private final Clock wallClock;
    private final StartedResources started = new StartedResources("drpilot agent");
    private final Optional<FailsafePeers> failsafePeers;
    private final PromotionPromise promise = new PromotionPromise();
    private FailsafeMode failsafe;
    private Lease lease;
    private FenceGuard guard;
    private PostmasterWatch watch;
    private LeaseKeeper keeper;
    private HttpServer http;

    public NodeAgent(AgentSettings settings, String cluster, String node, String component, Map<String, Object> kafkaClientProperties,
                     WorkerHealth health, NanoClock clock, Clock wallClock) {
        this(settings, cluster, node, component, kafkaClientProperties, health, clock, wallClock, Optional.empty());
    }

    /** With failsafe mode, when {@code failsafePeers} is present (docs/agent.md). */
    public NodeAgent(AgentSettings settings, String cluster, String node, String component, Map<String, Object> kafkaClientProperties,
                     WorkerHealth health, NanoClock clock, Clock wallClock, Optional<FailsafePeers> failsafePeers) {
        this.failsafePeers = failsafePeers;
        this.settings = settings;
        this.identity = AgentIdentity.fresh(cluster, node, component);
        this.kafkaClientProperties = Map.copyOf(kafkaClientProperties);
        this.health = health;
        this.clock = clock;
        this.wallClock = wallClock;
    }

    /** The agent of {@code node} of {@code cluster}; fails naming what is missing from the configuration. */
    public static NodeAgent of(DrpilotConfig config, String cluster, String node, Map<String, Object> kafkaClientProperties,
                               WorkerHealth health) {
        return new NodeAgent(settings(config, cluster, node), cluster, node, config.clusters().get(cluster).component(),
                kafkaClientProperties, health, NanoClock.SYSTEM, Clock.systemUTC(), FailsafePeers.of(config, cluster, node));
    }

    /** The agent settings of {@code node} of {@code cluster}; an IllegalArgumentException names what is missing. */
    public static AgentSettings settings(DrpilotConfig config, String cluster, String node) {
        ClusterConfig clusterConfig = config.clusters().get(cluster);
        if (clusterConfig == null) {
            throw new IllegalArgumentException("no cluster \"" + cluster + "\" in the configuration (clusters: "
                    + (config.clusters().isEmpty() ? "none" : String.join(", ", config.clusters().keySet())) + ")");
        }
        NodeConfig nodeConfig = clusterConfig.node(node).orElseThrow(() -> new IllegalArgumentException("cluster " + cluster
                + " has no node \"" + node + "\" (nodes: " + String.join(", ", clusterConfig.nodes().stream().map(NodeConfig::name).toList()) + ")"));
        return nodeConfig.agent().orElseThrow(() -> new IllegalArgumentException("clusters." + cluster
                + ".nodes[" + clusterConfig.nodes().indexOf(nodeConfig) + "].agent is missing: node " + node
                + " has no agent settings (docs/agent.md)"));
    }

    public synchronized NodeAgent start() {
        try {
            AgentPublisher publisher = keep(new AgentPublisher(kafkaClientProperties, identity.agentId(), settings.renewInterval(),
                    settings.leaseTtl()));
            LocalServer server = keep(new LocalServer(settings, clock, "agent-local-query"));
            Postmaster postmaster = new Postmaster(settings.dataDir());
            PgCtl pgCtl = new PgCtl(settings);
            lease = new Lease(settings.leaseTtl(), settings.fenceAfter());
            keeper = new LeaseKeeper(settings, identity, lease, publisher, clock, wallClock);
            Optional<DeadManSwitch> deadMan = settings.deadMan() ? Optional.of(keep(DeadManSwitch.start(settings.dataDir(),
                    true, pgCtl.command("-m", "immediate", "-w", "-t", "1", "stop"),
                    Path.of(System.getProperty("java.io.tmpdir"), "drpilot-agent-" + identity.cluster() + "-" + identity.node() + "-dead-man.log"))))
                    : Optional.empty();
            Fence fence = new Fence(settings, pgCtl, postmaster, clock);
            guard = new FenceGuard(settings, lease, fence, deadMan, keeper, clock);
            CommandedFence commandedFence = new CommandedFence(settings, fence, postmaster, server, lease, keeper);
            PromotionIntentHandler intents = keep(new PromotionIntentHandler(promise, clock, wallClock));
            LeaseWatch leases = new LeaseWatch(identity.cluster(), leaseConsumer(), clock, wallClock);
            LocalControl control = new LocalControl(postmaster, server, fence, pgCtl);
            watch = new PostmasterWatch(settings, identity, postmaster, server, lease, keeper, publisher, clock, wallClock,
                    new ReplacedFence(identity.node(), leases, intents, commandedFence), control::leaseWithheld);
            deadMan.ifPresent(health::watch);
            // Stopped after the loops, before the dead-man switch is told to quit: a primary left without a guard says so.
            started.add(() -> {
                if (lease.state() == Lease.State.HOLDING) {
                    log.warn("drpilot agent stopping while node {} is primary: publishing that its lease is unguarded", identity.node());
                    keeper.publishState(LeaseState.UNGUARDED, Map.of("reason", "agent stopped", "deadMan", settings.deadMan() ? "on" : "off"));
                }
            });
            List<AgentLoop> loops = new ArrayList<>(List.of(leases, watch, keeper, guard));
            failsafePeers.ifPresent(peers -> {
                failsafe = keep(new FailsafeMode(settings, identity, peers, lease, promise, kafkaClientProperties, clock));
                loops.addAll(failsafe.loops());
            });
            for (AgentLoop loop : loops) {
                started.add(loop);
                health.watch(loop);
                loop.start();
            }
            Map<AgentCommandKind, CommandHandler> handlers = Map.of(
                    AgentCommandKind.FENCE, command -> commandedFence.fence("FENCE " + command.getCommandId() + " from "
                            + command.getIssuedBy() + ": " + command.getReason()),
                    AgentCommandKind.PROMOTION_INTENT, intents,
                    AgentCommandKind.REJOIN, new RejoinHandler(settings, identity.node(), control, RejoinTimeouts.DEFAULTS, wallClock));
            CommandLoop commands = keep(new CommandLoop(identity.cluster(), identity.node(), identity.agentId(),
                    CommandLoop.consumer(kafkaClientProperties, identity.cluster(), identity.node(), identity.agentId()), publisher.producer(),
                    handlers, wallClock));
            health.watch(commands);
            commands.start();
            http = HttpServer.create(new InetSocketAddress(settings.bind(), settings.listenPort()), 0);
            http.createContext("/", new HealthHttpHandler(health));
            if (failsafe != null) {
                http.createContext(FailsafeResponder.PATH, failsafe.responder());
            }
            http.start();
            started.add(() -> http.stop(0));
            log.info("drpilot agent {} of node {} (cluster {}) started: data directory {}, server {}, lease TTL {} ms renewed every {} ms,"
                            + " fence {} after {} ms, dead-man switch {}, health on {}:{}", identity.agentId(), identity.node(), identity.cluster(),
                    settings.dataDir(), settings.jdbcUrl(), settings.leaseTtl().toMillis(), settings.renewInterval().toMillis(),
                    ConfigNames.of(settings.fence()), settings.fenceAfter().toMillis(), settings.deadMan() ? "on" : "off",
                    settings.bind(), http.getAddress().getPort());
            return this;
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("drpilot agent of node " + identity.node() + " cannot start: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The cluster's leases, read from the beginning by assignment (no group: every agent reads them all). */
    private KafkaConsumer<String, byte[]> leaseConsumer() {
        Map<String, Object> props = new HashMap<>(kafkaClientProperties);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, identity.agentId() + "-leases");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    }

    /** What this agent promised a promotion intent: the failsafe responder asks it before it confirms anything. */
    PromotionPromise promise() {
        return promise;
    }

    private <T extends AutoCloseable> T keep(T resource) {
        started.add(resource);
        return resource;
    }

    /** The port the health endpoint listens on (the configured one, or the one picked for port 0). */
    public int healthPort() {
        return http.getAddress().getPort();
    }

    Optional<FailsafeMode> failsafe() {
        return Optional.ofNullable(failsafe);
    }

    Lease lease() {
        return lease;
    }

    Optional<FenceGuard.FenceRecord> lastFence() {
        return guard.lastFence();
    }

    LocalVerdict verdict() {
        return watch.verdict();
    }

    long lastRenewMillis() {
        return keeper.lastRenewMillis();
    }

    AgentIdentity identity() {
        return identity;
    }

    @Override
    public synchronized void close() {
        started.close();
    }
}
