package dev.drpilot.ingest;

import dev.drpilot.config.ClusterConfig;
import dev.drpilot.config.CollectorSettings;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.config.BackupSource;
import dev.drpilot.config.Component;
import dev.drpilot.events.BackupObservation;
import dev.drpilot.events.CollectorHeartbeat;
import dev.drpilot.events.HealthObservation;
import dev.drpilot.events.ReplicationObservation;
import dev.drpilot.events.Source;
import dev.drpilot.ingest.api.IngestApi;
import dev.drpilot.ingest.backup.BackupCollector;
import dev.drpilot.ingest.cloudwatch.CloudWatchClients;
import dev.drpilot.ingest.cloudwatch.RdsReplicaLagCollector;
import java.util.LinkedHashMap;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import dev.drpilot.ingest.health.HealthProbes;
import dev.drpilot.ingest.health.ProbeScheduler;
import dev.drpilot.ingest.metrics.IngestMetrics;
import dev.drpilot.ingest.replication.ReplicationCollector;
import dev.drpilot.runtime.PeriodicTask;
import dev.drpilot.runtime.Worker;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import dev.drpilot.schemas.topic.Topic;
import dev.drpilot.schemas.topic.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The collectors' process: observes and publishes, never decides. It runs the replication
 * collector of every configured cluster, the health probes and the backup pollers, and publishes
 * its own heartbeat.
 */
public final class IngestService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IngestService.class);

    /** The topics this service writes. */
    public static final List<Topic<?, ?>> TOPICS = List.of(
            Topics.REPLICATION_OBSERVATIONS,
            Topics.BACKUP_OBSERVATIONS,
            Topics.HEALTH_OBSERVATIONS,
            Topics.COLLECTOR_HEARTBEATS,
            Topics.DEAD_LETTER);

    // Monitoring reads must fail fast on a hung server: well inside the default 5s interval.
    private static final PostgresConnector MONITORING = new PostgresConnector(
            Duration.ofSeconds(2), Duration.ofSeconds(3), Duration.ofSeconds(2));

    private final DrpilotConfig config;
    private final Producer<String, CollectorHeartbeat> heartbeatProducer;
    private final Producer<String, ReplicationObservation> replicationProducer;
    private final Producer<String, HealthObservation> healthProducer;
    private final Producer<String, BackupObservation> backupProducer;
    private final List<BackupSource> polledBackups;
    private final List<BackupCollector> backupCollectors = new ArrayList<>();
    private final List<CloudWatchClient> cloudWatchClients = new ArrayList<>();
    private final Map<ClusterConfig, RdsReplicaLagCollector> cloudWatchCollectors = new LinkedHashMap<>();
    private final ProbeScheduler probes;
    private final HeartbeatPublisher heartbeats;
    private final List<ReplicationCollector> replicationCollectors = new ArrayList<>();
    private final ScheduledExecutorService scheduler;
    private final Producer<String, byte[]> apiProducer;
    private final IngestApi api;
    private final List<Worker> workers = new ArrayList<>();

    public IngestService(DrpilotConfig config, CollectorIdentity identity, Map<String, Object> kafkaClientProperties, Clock clock) {
        this(config, identity, kafkaClientProperties, clock, new PrometheusRegistry());
    }

    /** @param registry where the collectors' metrics go ({@link IngestMetrics}), for the process's {@code /metrics} */
    public IngestService(DrpilotConfig config, CollectorIdentity identity, Map<String, Object> kafkaClientProperties, Clock clock,
                         PrometheusRegistry registry) {
        IngestMetrics metrics = new IngestMetrics(registry);
        this.config = config;
        this.heartbeatProducer = new KafkaProducer<>(producerProperties(kafkaClientProperties, identity, "heartbeat"),
                Topics.COLLECTOR_HEARTBEATS.keySerde().serializer(), Topics.COLLECTOR_HEARTBEATS.valueSerde().serializer());
        this.replicationProducer = new KafkaProducer<>(producerProperties(kafkaClientProperties, identity, "replication"),
                Topics.REPLICATION_OBSERVATIONS.keySerde().serializer(), Topics.REPLICATION_OBSERVATIONS.valueSerde().serializer());
        this.healthProducer = new KafkaProducer<>(producerProperties(kafkaClientProperties, identity, "health"),
                Topics.HEALTH_OBSERVATIONS.keySerde().serializer(), Topics.HEALTH_OBSERVATIONS.valueSerde().serializer());
        Source source = Source.newBuilder().setCollectorId(identity.collectorId()).setVantage(identity.vantage()).build();
        this.probes = HealthProbes.scheduler(config, source, healthProducer, clock, metrics::probed);
        List<String> runs = new ArrayList<>(List.of("heartbeat"));
        probes.probeNames().forEach(name -> runs.add("probe:" + name));
        this.backupProducer = new KafkaProducer<>(producerProperties(kafkaClientProperties, identity, "backup"),
                Topics.BACKUP_OBSERVATIONS.keySerde().serializer(), Topics.BACKUP_OBSERVATIONS.valueSerde().serializer());
        // Report-only backups arrive from the backup jobs themselves (drpilot emit backup); nothing to poll.
        this.polledBackups = config.backups().stream().filter(backup -> backup.tool() != BackupSource.Tool.REPORT_ONLY).toList();
        for (BackupSource backup : polledBackups) {
            backupCollectors.add(new BackupCollector(backup, config.component(backup.component()).flatMap(Component::cluster),
                    source, backupProducer, clock));
            runs.add("backup:" + backup.component());
        }
        for (ClusterConfig cluster : config.clusters().values()) {
            replicationCollectors.add(new ReplicationCollector(cluster, identity, MONITORING, replicationProducer, backupProducer, clock));
            runs.add("replication:" + cluster.name());
            cluster.cloudwatch().ifPresent(cloudwatch -> {
                CloudWatchClient client = CloudWatchClients.create(cloudwatch);
                cloudWatchClients.add(client);
                cloudWatchCollectors.put(cluster, new RdsReplicaLagCollector(cluster, client, identity, replicationProducer, clock));
                runs.add("cloudwatch:" + cluster.name());
            });
        }
        CollectorSettings collector = config.collector();
        this.heartbeats = new HeartbeatPublisher(identity, collector.heartbeatInterval(), runs, heartbeatProducer, clock,
                (heartbeat, error) -> metrics.heartbeat(identity.collectorId(), identity.vantage(), heartbeat.getSentAt(), error == null));
        if (config.ingestApi().enabled()) {
            Map<String, Object> apiProps = producerProperties(kafkaClientProperties, identity, "api");
            // An API caller waits for the answer: Kafka trouble must become a 503 within seconds.
            apiProps.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
            apiProps.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
            apiProps.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000);
            this.apiProducer = new KafkaProducer<>(apiProps, new StringSerializer(), new ByteArraySerializer());
            try {
                this.api = new IngestApi(config.ingestApi(), config.components(), apiProducer, Duration.ofSeconds(10), clock, metrics::apiRequest);
            } catch (IOException e) {
                apiProducer.close(Duration.ZERO);
                throw new UncheckedIOException("cannot listen on " + config.ingestApi().bind() + ":" + config.ingestApi().port()
                        + " for the ingest API (set ingestApi.port, or ingestApi.enabled: false): " + e.getMessage(), e);
            }
        } else {
            this.apiProducer = null;
            this.api = null;
        }
        List<Producer<?, ?>> producers = new ArrayList<>(List.of(heartbeatProducer, replicationProducer, healthProducer, backupProducer));
        if (apiProducer != null) {
            producers.add(apiProducer);
        }
        metrics.producers(() -> producers.stream().map(Producer::metrics).toList());
        AtomicInteger threads = new AtomicInteger();
        // One thread per cluster and backup source (at most 8): a source that hangs delays only itself.
        this.scheduler = Executors.newScheduledThreadPool(Math.max(1, Math.min(8, config.clusters().size() + polledBackups.size() + cloudWatchCollectors.size())), runnable -> {
            Thread thread = new Thread(runnable, "collector-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    public IngestService start() {
        heartbeats.start();
        workers.add(heartbeats.worker());
        probes.start();
        workers.addAll(probes.workers());
        if (api != null) {
            api.start();
        }
        List<ClusterConfig> clusters = List.copyOf(config.clusters().values());
        for (int i = 0; i < clusters.size(); i++) {
            Duration interval = clusters.get(i).replicationInterval();
            workers.add(new PeriodicTask("replication:" + clusters.get(i).name(),
                    scheduler.scheduleWithFixedDelay(replicationCollectors.get(i), 0, interval.toMillis(), TimeUnit.MILLISECONDS)));
            log.info("[cluster={}] collecting replication state every {} ms", clusters.get(i).name(), interval.toMillis());
        }
        cloudWatchCollectors.forEach((cluster, collector) -> {
            Duration interval = cluster.cloudwatch().orElseThrow().interval();
            workers.add(new PeriodicTask("cloudwatch:" + cluster.name(),
                    scheduler.scheduleWithFixedDelay(collector, 0, interval.toMillis(), TimeUnit.MILLISECONDS)));
            log.info("[cluster={}] reading RDS ReplicaLag from CloudWatch every {} ms", cluster.name(), interval.toMillis());
        });
        for (int i = 0; i < polledBackups.size(); i++) {
            BackupSource backup = polledBackups.get(i);
            workers.add(new PeriodicTask("backup:" + backup.component(),
                    scheduler.scheduleWithFixedDelay(backupCollectors.get(i), 0, backup.interval().toMillis(), TimeUnit.MILLISECONDS)));
            log.info("[component={}] polling {} backups every {} ms", backup.component(), backup.tool(), backup.interval().toMillis());
        }
        return this;
    }

    /**
     * Every scheduled loop of the collectors, once started, for the process's health: an executor silently stops a
     * periodic task whose run threw, and a collector that stopped collecting must not look alive.
     */
    public List<Worker> workers() {
        return List.copyOf(workers);
    }

    @Override
    public void close() {
        if (api != null) {
            api.close();
            apiProducer.close(Duration.ofSeconds(10));
        }
        scheduler.shutdown();
        try {
            if (!scheduler.awaitTermination(10, TimeUnit.SECONDS)) {
                scheduler.shutdownNow();
            }
        } catch (InterruptedException e) {
            scheduler.shutdownNow();
            Thread.currentThread().interrupt();
        }
        probes.close();
        cloudWatchClients.forEach(CloudWatchClient::close);
        heartbeats.close();
        healthProducer.close(Duration.ofSeconds(10));
        backupProducer.close(Duration.ofSeconds(10));
        replicationProducer.close(Duration.ofSeconds(10));
        heartbeatProducer.close(Duration.ofSeconds(10));
    }

    private static Map<String, Object> producerProperties(Map<String, Object> base, CollectorIdentity identity, String purpose) {
        Map<String, Object> props = new HashMap<>(base);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "drpilot-ingest-" + identity.collectorId() + "-" + purpose);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        // An observation that cannot reach Kafka for two minutes is stale anyway; the next one replaces it.
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
        return props;
    }
}
