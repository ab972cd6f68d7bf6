package dev.drpilot.broker;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A real single-node Kafka cluster (KRaft, broker and controller in one process) running inside
 * this JVM. It is what {@code drpilot run} uses when no {@code kafka.bootstrapServers} is
 * configured, and what every module's integration tests run against.
 *
 * <p>The log directory is formatted on first start and reused afterwards, so events survive a
 * restart of drpilot when the state directory is kept.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
    private static final int NODE_ID = 1;
    private static final String BROKER_LISTENER = "PLAINTEXT";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final String HOST = "127.0.0.1";

    private final Path stateDir;
    private final int port;
    private final Map<String, String> overrides;
    private final Map<String, Listener> listeners;
    private final Duration startTimeout;
    private KafkaRaftServer server;
    private int boundPort;
    private String clusterId;

    private EmbeddedKafkaBroker(Builder builder) {
        this.stateDir = builder.stateDir.toAbsolutePath().normalize();
        this.port = builder.port;
        this.overrides = Map.copyOf(builder.overrides);
        this.listeners = Map.copyOf(builder.listeners);
        this.startTimeout = builder.startTimeout;
    }

    public static Builder builder(Path stateDir) {
        return new Builder(stateDir);
    }

    /** Formats the state directory if it is new, starts the broker and waits until it serves requests. */
    public synchronized EmbeddedKafkaBroker start() {
        if (server != null) {
            throw new IllegalStateException("embedded Kafka broker already started");
        }
        Instant begin = Instant.now();
        Path logDir = stateDir.resolve("kraft-combined-logs");
        try {
            Files.createDirectories(logDir);
        } catch (IOException e) {
            throw new EmbeddedBrokerException("cannot create the Kafka state directory " + logDir + ": " + e.getMessage(), e);
        }
        boundPort = port == 0 ? FreePorts.pick() : FreePorts.requireFree(port);
        int controllerPort = FreePorts.pickOtherThan(boundPort);
        clusterId = formatIfNew(logDir);

        Map<String, Object> props = brokerProperties(logDir, boundPort, controllerPort);
        KafkaRaftServer raftServer = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
        try {
            raftServer.startup();
        } catch (RuntimeException e) {
            raftServer.shutdown();
            throw new EmbeddedBrokerException("the embedded Kafka broker did not start: " + e.getMessage()
                    + " (state directory " + stateDir + ")", e);
        }
        server = raftServer;
        awaitReady();
        log.info("Embedded Kafka broker ready at {} (cluster {}, state {}) in {} ms",
                bootstrapServers(), clusterId, stateDir, Duration.between(begin, Instant.now()).toMillis());
        return this;
    }

    public String bootstrapServers() {
        if (server == null) {
            throw new IllegalStateException("embedded Kafka broker is not running");
        }
        return HOST + ":" + boundPort;
    }

    public String clusterId() {
        return clusterId;
    }

    public Path stateDir() {
        return stateDir;
    }

    /** Client properties that reach this broker. */
    public Map<String, Object> clientProperties() {
        return Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    }

    @Override
    public synchronized void close() {
        if (server == null) {
            return;
        }
        log.info("Stopping embedded Kafka broker at {}", bootstrapServers());
        server.shutdown();
        server.awaitShutdown();
        server = null;
    }

    private String formatIfNew(Path logDir) {
        Path metaProperties = logDir.resolve("meta.properties");
        if (Files.exists(metaProperties)) {
            return readClusterId(metaProperties);
        }
        String newClusterId = Uuid.randomUuid().toString();
        ByteArrayOutputStream formatterOutput = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(formatterOutput, true, StandardCharsets.UTF_8)) {
            new Formatter()
                    .setPrintStream(out)
                    .setNodeId(NODE_ID)
                    .setClusterId(newClusterId)
                    .setDirectories(List.of(logDir.toString()))
                    .setMetadataLogDirectory(logDir.toString())
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .setReleaseVersion(MetadataVersion.latestProduction())
                    .run();
        } catch (Exception e) {
            throw new EmbeddedBrokerException("cannot format the Kafka state directory " + logDir + ": " + e.getMessage(), e);
        }
        log.debug("Formatted {}: {}", logDir, formatterOutput.toString(StandardCharsets.UTF_8).trim());
        return newClusterId;
    }

    private static String readClusterId(Path metaProperties) {
        try {
            return Files.readAllLines(metaProperties).stream()
                    .filter(line -> line.startsWith("cluster.id="))
                    .map(line -> line.substring("cluster.id=".length()))
                    .findFirst()
                    .orElse("unknown");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Map<String, Object> brokerProperties(Path logDir, int brokerPort, int controllerPort) {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("process.roles", "broker,controller");
        props.put("node.id", Integer.toString(NODE_ID));
        props.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
        StringBuilder extraListeners = new StringBuilder();
        StringBuilder extraAdvertised = new StringBuilder();
        StringBuilder extraProtocols = new StringBuilder();
        listeners.forEach((name, listener) -> {
            extraListeners.append(',').append(name).append("://").append(HOST).append(':').append(listener.port());
            extraAdvertised.append(',').append(name).append("://").append(HOST).append(':').append(listener.advertisedPort());
            extraProtocols.append(',').append(name).append(':').append(listener.securityProtocol());
        });
        props.put("listeners", BROKER_LISTENER + "://" + HOST + ":" + brokerPort + ","
                + CONTROLLER_LISTENER + "://" + HOST + ":" + controllerPort + extraListeners);
        props.put("advertised.listeners", BROKER_LISTENER + "://" + HOST + ":" + brokerPort + extraAdvertised);
        props.put("listener.security.protocol.map", BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT" + extraProtocols);
        props.put("controller.listener.names", CONTROLLER_LISTENER);
        props.put("inter.broker.listener.name", BROKER_LISTENER);
        props.put("log.dirs", logDir.toString());
        props.put("metadata.log.dir", logDir.toString());
        // One broker: every internal topic must fit on it, or consumer groups and transactions
        // never get a coordinator and clients wait silently.
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "5");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("transaction.state.log.num.partitions", "5");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("group.initial.rebalance.delay.ms", "0");
        // drpilot creates its topics explicitly with the catalogue's settings.
        props.put("auto.create.topics.enable", "false");
        props.put("num.partitions", "1");
        props.put("log.cleaner.dedupe.buffer.size", "2097152");
        props.put("server.max.startup.time.ms", Long.toString(startTimeout.toMillis()));
        props.putAll(overrides);
        return props;
    }

    private void awaitReady() {
        Map<String, Object> adminProps = new HashMap<>(clientProperties());
        adminProps.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        long deadline = System.nanoTime() + startTimeout.toNanos();
        try (Admin admin = Admin.create(adminProps)) {
            while (true) {
                try {
                    int nodes = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size();
                    if (nodes > 0) {
                        return;
                    }
                } catch (Exception e) {
                    if (System.nanoTime() > deadline) {
                        close();
                        throw new EmbeddedBrokerException("the embedded Kafka broker did not answer within "
                                + startTimeout.toSeconds() + "s: " + e.getMessage(), e);
                    }
                }
            }
        }
    }

    /** @param advertisedPort where clients are told to connect: the listener's own port, or a proxy's in front of it */
    private record Listener(int port, String securityProtocol, int advertisedPort) {
    }

    public static final class Builder {
        private final Path stateDir;
        private int port;
        private final Map<String, String> overrides = new HashMap<>();
        private final Map<String, Listener> listeners = new LinkedHashMap<>();
        private Duration startTimeout = Duration.ofSeconds(60);

        private Builder(Path stateDir) {
            this.stateDir = Objects.requireNonNull(stateDir, "stateDir");
        }

        /** The client port on 127.0.0.1; 0 picks a free one. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0..65535, was " + port);
            }
            this.port = port;
            return this;
        }

        /** A broker property that wins over drpilot's defaults. */
        public Builder brokerProperty(String key, String value) {
            overrides.put(key, value);
            return this;
        }

        /**
         * Another client listener on 127.0.0.1 besides the plaintext one (which the broker itself and
         * {@link #clientProperties()} keep using), e.g. SASL_SSL to test authentication and ACLs; its
         * settings go in as {@code listener.name.<name>.*} broker properties.
         */
        public Builder listener(String name, int port, String securityProtocol) {
            listeners.put(name.toUpperCase(Locale.ROOT), new Listener(port, securityProtocol, port));
            return this;
        }

        /**
         * A plaintext listener on {@code port} that tells its clients to connect to {@code advertisedPort} on 127.0.0.1: a
         * proxy listening there and forwarding to {@code port} then carries every connection of a client that bootstrapped
         * through it (Kafka clients reconnect to the advertised address after bootstrap), so that a test can cut exactly
         * that client off.
         */
        public Builder proxiedListener(String name, int port, int advertisedPort) {
            listeners.put(name.toUpperCase(Locale.ROOT), new Listener(port, "PLAINTEXT", advertisedPort));
            return this;
        }

        public Builder startTimeout(Duration timeout) {
            this.startTimeout = timeout;
            return this;
        }

        public EmbeddedKafkaBroker build() {
            return new EmbeddedKafkaBroker(this);
        }
    }
}
