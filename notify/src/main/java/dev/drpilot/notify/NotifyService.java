package dev.drpilot.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpHandler;
import dev.drpilot.config.CloudWatchReceiver;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.config.Receiver;
import dev.drpilot.config.Route;
import dev.drpilot.events.Alert;
import dev.drpilot.notify.delivery.AlertSink;
import dev.drpilot.notify.delivery.DeliveryRecorder;
import dev.drpilot.notify.delivery.ReceiverWorker;
import dev.drpilot.notify.metrics.AlertLatency;
import dev.drpilot.notify.metrics.AlertMetricsFeed;
import dev.drpilot.notify.metrics.DeliveryMetrics;
import dev.drpilot.notify.metrics.FiringAlerts;
import dev.drpilot.notify.metrics.PlantMetrics;
import dev.drpilot.notify.metrics.PlantMetricsFeed;
import dev.drpilot.notify.receivers.AlertSinks;
import dev.drpilot.notify.receivers.CloudWatchFigures;
import dev.drpilot.notify.routing.AlertRouter;
import dev.drpilot.notify.silence.Mute;
import dev.drpilot.notify.silence.Muting;
import dev.drpilot.notify.silence.SilenceFeed;
import dev.drpilot.notify.silence.Silences;
import dev.drpilot.notify.status.RestoreCheckFeed;
import dev.drpilot.notify.status.StatusBoard;
import dev.drpilot.notify.status.StatusHttpHandler;
import dev.drpilot.runtime.HealthHttpHandler;
import dev.drpilot.runtime.StartedResources;
import dev.drpilot.runtime.WorkerHealth;
import dev.drpilot.schemas.topic.Topic;
import dev.drpilot.schemas.topic.Topics;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The actuators' process for alerts: one {@link ReceiverWorker} per routed receiver (each its own
 * consumer group on {@code drpilot.alerts}), the delivery audit on {@code drpilot.actions}, and
 * Prometheus {@code /metrics} (JVM, deliveries, firing alerts, and the plant: replication lag,
 * recovery points, backups, RTO/RPO targets, failovers), and on the same port the live status page
 * ({@code /status}, its JSON at {@code /api/status}).
 */
public final class NotifyService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NotifyService.class);

    /** The topics the actuator reads and writes. */
    public static final List<Topic<?, ?>> TOPICS = List.of(Topics.ALERTS, Topics.ACTIONS, Topics.DEAD_LETTER,
            Topics.REPLICATION_OBSERVATIONS, Topics.BACKUP_OBSERVATIONS, Topics.HEALTH_OBSERVATIONS, Topics.AGENT_LEASES,
            Topics.SILENCES, Topics.RESTORE_CHECKS);

    private final DrpilotConfig config;
    private final Map<String, Object> kafka;
    private final Clock clock;
    private final NotifyOptions options;
    private final WorkerHealth health;
    private final PrometheusRegistry registry;
    private final StartedResources started = new StartedResources("notify");
    private final List<ReceiverWorker> workers = new ArrayList<>();
    private HTTPServer metricsServer;
    private String silencesTopic = Topics.SILENCES.name();
    private Duration silenceRecheck = Duration.ofSeconds(10);
    private Muting muting = Muting.NONE;

    public NotifyService(DrpilotConfig config, Map<String, Object> kafkaClientProperties, Clock clock, NotifyOptions options) {
        this(config, kafkaClientProperties, clock, options, new WorkerHealth());
    }

    /**
     * @param health the process's workers, answered on {@code /healthz} and {@code /readyz} beside {@code /metrics}: this
     *               service adds its own loops; the process adds the others' and says when everything has started
     */
    public NotifyService(DrpilotConfig config, Map<String, Object> kafkaClientProperties, Clock clock, NotifyOptions options,
                         WorkerHealth health) {
        this(config, kafkaClientProperties, clock, options, health, new PrometheusRegistry());
    }

    /**
     * @param registry what {@code /metrics} serves: this service's metrics go into it, and the process's other services
     *                 may put theirs beside them ({@code drpilot run} serves every service's on this one port)
     */
    public NotifyService(DrpilotConfig config, Map<String, Object> kafkaClientProperties, Clock clock, NotifyOptions options,
                         WorkerHealth health, PrometheusRegistry registry) {
        this.registry = registry;
        this.config = config;
        this.kafka = Map.copyOf(kafkaClientProperties);
        this.clock = clock;
        this.options = options;
        this.health = health;
    }

    /**
     * Where silences are read from, and how often an alert held back by one is looked at again (a silence expired by hand
     * is noticed within this); before {@link #start}.
     */
    public synchronized NotifyService silencing(String topic, Duration recheck) {
        this.silencesTopic = topic;
        this.silenceRecheck = recheck;
        return this;
    }

    public synchronized NotifyService start() {
        try {
            JvmMetrics.builder().register(registry);
            DeliveryMetrics deliveryMetrics = new DeliveryMetrics(registry);
            FiringAlerts firing = new FiringAlerts(registry);
            PlantMetrics plant = new PlantMetrics(registry, config, clock);
            StatusBoard board = new StatusBoard(config, clock, plant::staleAfter, plant.topology());
            startMetricsServer(board);

            Producer<byte[], byte[]> producer = producer();
            started.add(producer::close);
            DeliveryRecorder recorder = new DeliveryRecorder(producer, options.actionsTopic(), Topics.ACTIONS.valueSerde().serializer(),
                    options.deadLetterTopic());
            AlertMetricsFeed alertFeed = new AlertMetricsFeed(consumer(Optional.empty()), options.alertsTopic(),
                    Topics.ALERTS.valueSerde().deserializer(), firing, board::accept, new AlertLatency(registry, clock)::read).start();
            started.add(alertFeed);
            health.watch(alertFeed.worker());
            PlantMetricsFeed.Sources sources = new PlantMetricsFeed.Sources(options.replicationTopic(), options.backupTopic(),
                    options.actionsTopic(), options.healthTopic(), options.leasesTopic());
            PlantMetricsFeed plantFeed = new PlantMetricsFeed(consumer(Optional.empty()), sources, plant, board, clock, plant.longestStale(),
                    StatusBoard.FAILOVER_LOOKBACK).start();
            started.add(plantFeed);
            health.watch(plantFeed.worker());
            // The status page's restore checks, beside its drills.
            RestoreCheckFeed restoreFeed = new RestoreCheckFeed(consumer(Optional.empty()), Topics.RESTORE_CHECKS.name(),
                    Topics.RESTORE_CHECKS.valueSerde().deserializer(), board::accept).start();
            started.add(restoreFeed);
            health.watch(restoreFeed.worker());

            // CloudWatch receivers also get the DR figures themselves, once a minute (CloudWatch's
            // standard resolution), not only the alerts.
            for (Receiver receiver : config.receivers()) {
                if (receiver instanceof CloudWatchReceiver cloudWatch) {
                    started.add(new CloudWatchFigures(cloudWatch.name(), AlertSinks.cloudWatchClient(cloudWatch, options.awsCredentials(),
                            options.httpTimeout()), cloudWatch.namespace(), registry, clock).start(Duration.ofMinutes(1)));
                }
            }

            Silences silences = new Silences();
            SilenceFeed silenceFeed = new SilenceFeed(consumer(Optional.empty()), silencesTopic, Topics.SILENCES.valueSerde().deserializer(),
                    silences).start();
            started.add(silenceFeed);
            health.watch(silenceFeed.worker());
            muting = new Muting(config.maintenance(), config.inhibit(), silences::active, firing::firing, firing::resolvedAt, firing::caughtUp,
                    silenceRecheck);
            Muting shown = muting;
            board.showMutes(alert -> shown.muteOf(alert, clock.instant()).map(Mute::text));

            AlertRouter router = new AlertRouter(config.routes());
            Set<String> routed = router.routedReceivers();
            for (Receiver receiver : config.receivers()) {
                startWorker(receiver, router, routed, recorder, deliveryMetrics, firing);
            }
            String base = "http://" + options.metricsHost() + ":" + metricsPort();
            log.info("notify started: receivers {}, metrics {}, status page {}", workers.stream().map(ReceiverWorker::receiver).toList(),
                    metricsServer == null ? "off" : base + "/metrics", metricsServer == null ? "off" : base + "/status");
            return this;
        } catch (RuntimeException e) {
            try {
                close();
            } catch (RuntimeException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    private void startWorker(Receiver receiver, AlertRouter router, Set<String> routed, DeliveryRecorder recorder, DeliveryMetrics metrics,
                             FiringAlerts firing) {
        // CloudWatch receives figures of every alert, not notifications: routes do not apply to
        // it, and a re-emitted FIRING is one more data point, not a repeated page.
        boolean figures = receiver instanceof CloudWatchReceiver;
        if (!figures && !routed.contains(receiver.name())) {
            log.info("[receiver={}] no route names it: it receives no alerts", receiver.name());
            return;
        }
        AlertRouter receiverRouter = figures
                ? new AlertRouter(List.of(new Route(Route.Match.everything(), List.of(receiver.name()), false)))
                : router;
        Supplier<List<Alert>> firingHere = () -> firing.caughtUp()
                ? firing.firing().stream().filter(alert -> receiverRouter.routesTo(alert, receiver.name())).toList()
                : List.of();
        Optional<AlertSink> sink = AlertSinks.create(receiver, options.httpTimeout(), clock, options.awsCredentials(), firingHere);
        if (sink.isEmpty()) {
            log.error("[receiver={}] receivers of type {} are not supported by this version: its alerts are NOT delivered",
                    receiver.name(), receiver.type());
            return;
        }
        ReceiverWorker.Settings settings = new ReceiverWorker.Settings(options.retryPolicy(),
                figures ? Duration.ZERO : options.renotifyInterval(), options.newGroupLookback());
        String group = options.groupIdPrefix() + receiver.name();
        ReceiverWorker worker = new ReceiverWorker(receiver.name(), sink.get(), new ReceiverWorker.Wiring(consumer(Optional.of(group)),
                options.alertsTopic(), group, Topics.ALERTS.valueSerde().deserializer(), receiverRouter, recorder, metrics, clock), settings,
                // Figures are not notifications: nothing silences a data point.
                figures ? Muting.NONE : muting);
        started.add(worker);
        workers.add(worker.start());
        health.watch(worker.worker());
    }

    private void startMetricsServer(StatusBoard board) {
        if (options.metricsPort() < 0) {
            return;
        }
        try {
            // client_java routes /metrics (and /-/healthy) itself and everything else to the default handler: there the
            // probes get /healthz and /readyz, the status page the rest.
            HttpHandler probes = new HealthHttpHandler(health);
            HttpHandler status = new StatusHttpHandler(board::snapshot, board::extraSections, new ObjectMapper());
            metricsServer = HTTPServer.builder().hostname(options.metricsHost()).port(options.metricsPort()).registry(registry)
                    .defaultHandler(exchange -> (HealthHttpHandler.handles(exchange) ? probes : status).handle(exchange)).buildAndStart();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve /metrics on " + options.metricsHost() + ":" + options.metricsPort()
                    + " (port in use? choose another with --metrics-port)", e);
        }
        started.add(metricsServer::close);
    }

    /** The port {@code /metrics} is served on, or -1 when it is off. */
    public int metricsPort() {
        return metricsServer == null ? -1 : metricsServer.getPort();
    }

    private KafkaConsumer<byte[], byte[]> consumer(Optional<String> group) {
        Map<String, Object> props = new HashMap<>(kafka);
        group.ifPresent(id -> props.put(ConsumerConfig.GROUP_ID_CONFIG, id));
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // The detector writes alerts in transactions: never act on one that was aborted.
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 100);
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private Producer<byte[], byte[]> producer() {
        Map<String, Object> props = new HashMap<>(kafka);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    @Override
    public synchronized void close() {
        started.close();
    }
}
