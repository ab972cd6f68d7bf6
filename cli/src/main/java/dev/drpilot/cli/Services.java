package dev.drpilot.cli;

import dev.drpilot.config.CollectorSettings;
import dev.drpilot.detector.DetectorService;
import dev.drpilot.failover.FailoverActuator;
import dev.drpilot.ingest.CollectorIdentity;
import dev.drpilot.ingest.IngestService;
import dev.drpilot.notify.NotifyOptions;
import dev.drpilot.notify.NotifyService;
import dev.drpilot.recovery.RecoveryService;
import dev.drpilot.recovery.drill.DrillService;
import dev.drpilot.runtime.metrics.MetricsServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;

/** drpilot's services, wired by hand from the configuration (constructor injection, no framework). */
final class Services {
    static final ServiceDefinition INGEST = ingest(MetricsListenOption.Address.OFF);

    /**
     * The collectors; their metrics go into the process's registry and their loops count for its health. With an address,
     * they serve both themselves ({@code /metrics}, {@code /healthz}, {@code /readyz}); without, another service of the
     * process does ({@code drpilot run}: the actuator's port).
     */
    static ServiceDefinition ingest(MetricsListenOption.Address metrics) {
        return new ServiceDefinition("ingest", IngestService.TOPICS, context -> {
            CollectorSettings collector = context.config().collector();
            CollectorIdentity identity = new CollectorIdentity(collector.id(), collector.vantage(), VersionCommand.drpilotVersion());
            IngestService ingest = new IngestService(context.config(), identity, context.kafkaClientProperties(), context.clock(),
                    context.metrics()).start();
            context.health().watch(ingest.workers());
            return serving(ingest, metrics, context, "the collectors");
        });
    }

    static final ServiceDefinition DETECT = detect(MetricsListenOption.Address.OFF);

    /** The detectors, like {@link #ingest}: the Kafka Streams application counts for the process's health and readiness. */
    static ServiceDefinition detect(MetricsListenOption.Address metrics) {
        return new ServiceDefinition("detect", DetectorService.TOPICS, context -> {
            DetectorService detector = new DetectorService(context.config(), context.kafkaClientProperties(), DetectorService.APPLICATION_ID,
                    context.detectorStateDir());
            detector.registerMetrics(context.metrics());
            context.health().watch(detector.worker()).readyWhen("detector", detector::notReady);
            return serving(detector.start(), metrics, context, "the detectors");
        });
    }

    /** The service, and where {@code metrics} says the process's {@code /metrics} and probes with the JVM's figures; closing stops both. */
    private static AutoCloseable serving(AutoCloseable service, MetricsListenOption.Address metrics, ServiceContext context, String what) {
        if (metrics.off()) {
            return service;
        }
        MetricsServer server;
        try {
            JvmMetrics.builder().register(context.metrics());
            server = MetricsServer.start(metrics.host(), metrics.port(), context.metrics(), context.health(), what, "--metrics-listen");
        } catch (RuntimeException e) {
            try {
                service.close();
            } catch (Exception closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
        return () -> {
            try {
                service.close();
            } finally {
                server.close();
            }
        };
    }

    /**
     * Alert delivery to the configured receivers, with {@code /metrics} where {@code metrics} says, and beside it
     * {@code /healthz} and {@code /readyz} over every worker of the process (the failover's too).
     */
    static ServiceDefinition act(MetricsListenOption.Address metrics) {
        return new ServiceDefinition("act", NotifyService.TOPICS, context ->
                new NotifyService(context.config(), context.kafkaClientProperties(), context.clock(),
                        NotifyOptions.defaults().withMetrics(metrics.host(), metrics.port()), context.health(), context.metrics()).start());
    }

    /** The failover actuator: carries out failover commands with the clusters' runbooks; its loop counts for the process's health. */
    static final ServiceDefinition FAILOVER = new ServiceDefinition("failover", FailoverActuator.TOPICS, context -> {
        FailoverActuator actuator = new FailoverActuator(context.config(), context.kafkaClientProperties(), context.clock()).start();
        context.health().watch(actuator.workers());
        return actuator;
    });

    /**
     * The scheduled restore checks; one thread, which counts for the process's health, served with the JVM's figures where
     * {@code metrics} says.
     */
    static ServiceDefinition recovery(MetricsListenOption.Address metrics) {
        return new ServiceDefinition("recovery", RecoveryService.TOPICS, context -> {
            RecoveryService recovery = new RecoveryService(context.config(), context.kafkaClientProperties(), context.clock(),
                    context.config().collector().id()).start();
            context.health().watch(recovery);
            return serving(recovery, metrics, context, "the restore checks");
        });
    }

    /** The scheduled drills, like {@link #recovery}. */
    static ServiceDefinition drills(MetricsListenOption.Address metrics) {
        return new ServiceDefinition("drills", DrillService.TOPICS, context -> {
            DrillWiring wiring = new DrillWiring(context.config(), context.kafkaClientProperties(), context.clock());
            DrillService drills = new DrillService(context.config(), wiring.runner(), wiring.reports(), context.clock(), wiring).start();
            context.health().watch(drills);
            return serving(drills, metrics, context, "the drills");
        });
    }

    private Services() {
    }
}
