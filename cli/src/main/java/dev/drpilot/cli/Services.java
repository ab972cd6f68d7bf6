package dev.drpilot.cli;

import dev.drpilot.actuator.ActuatorOptions;
import dev.drpilot.actuator.ActuatorService;
import dev.drpilot.config.CollectorSettings;
import dev.drpilot.detector.DetectorHealth;
import dev.drpilot.detector.DetectorService;
import dev.drpilot.ingest.CollectorIdentity;
import dev.drpilot.ingest.IngestService;

import dev.drpilot.actuator.failover.AuditLog;
import dev.drpilot.actuator.failover.ClientCloudSteps;
import dev.drpilot.actuator.failover.FailoverService;
import dev.drpilot.actuator.failover.OperatorControls;
import dev.drpilot.actuator.failover.RunbookExecutor;
import dev.drpilot.actuator.failover.StepFactory;
import dev.drpilot.actuator.failover.steps.PostgresAdmin;
import dev.drpilot.schemas.topic.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** drpilot's services, wired by hand from the configuration (constructor injection, no framework). */
final class Services {
    static final ServiceDefinition INGEST = new ServiceDefinition("ingest", IngestService.TOPICS, context -> {
        CollectorSettings collector = context.config().collector();
        CollectorIdentity identity = new CollectorIdentity(collector.id(), collector.vantage(), VersionCommand.drpilotVersion());
        return new IngestService(context.config(), identity, context.kafkaClientProperties(), context.clock()).start();
    });

    static final ServiceDefinition DETECT = detect(new MetricsListenOption.Address("0.0.0.0", -1));

    /** The detectors, with {@code /healthz} and {@code /readyz} where {@code health} says (port -1: none). */
    static ServiceDefinition detect(MetricsListenOption.Address health) {
        return new ServiceDefinition("detect", DetectorService.TOPICS, context -> {
            DetectorService detector = new DetectorService(context.config(), context.kafkaClientProperties(), DetectorService.APPLICATION_ID,
                    Path.of(System.getProperty("java.io.tmpdir"), "drpilot-streams-" + ProcessHandle.current().pid()));
            if (health.off()) {
                return detector.start();
            }
            DetectorHealth probes;
            try {
                probes = new DetectorHealth(health.host(), health.port(), detector::state).start();
            } catch (RuntimeException e) {
                detector.close();
                throw e;
            }
            detector.start();
            return () -> {
                try {
                    detector.close();
                } finally {
                    probes.close();
                }
            };
        });
    }

    /** Alert delivery to the configured receivers, with {@code /metrics} where {@code metrics} says. */
    static ServiceDefinition act(MetricsListenOption.Address metrics) {
        return new ServiceDefinition("act", ActuatorService.TOPICS, context ->
                new ActuatorService(context.config(), context.kafkaClientProperties(), context.clock(),
                        ActuatorOptions.defaults().withMetrics(metrics.host(), metrics.port())).start());
    }

    /**
     * The failover actuator: carries out failover commands with the clusters' runbooks. Kubernetes
     * and AWS clients are made only when a runbook first needs them.
     */
    static final ServiceDefinition FAILOVER = new ServiceDefinition("failover",
            List.of(Topics.FAILOVER_COMMANDS, Topics.ACTIONS, Topics.FAILOVER_CONTROL), context -> {
        Map<String, Object> kafka = context.kafkaClientProperties();
        Map<String, Object> producer = new HashMap<>(kafka);
        producer.put(ProducerConfig.ACKS_CONFIG, "all");
        producer.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        AuditLog audit = new AuditLog(new KafkaProducer<>(producer, new StringSerializer(), Topics.ACTIONS.valueSerde().serializer()), kafka);
        ClientCloudSteps cloud = new ClientCloudSteps();
        RunbookExecutor executor = new RunbookExecutor(audit,
                new StepFactory(new PostgresAdmin(Duration.ofSeconds(2)), context.clock(), Optional.of(cloud)), context.clock(),
                Optional.of(new OperatorControls(kafka)));
        FailoverService service = new FailoverService(context.config(), kafka, FailoverService.GROUP, audit, executor, context.clock()).start();
        return () -> {
            service.close();
            audit.close();
            cloud.close();
        };
    });

    private Services() {
    }
}
