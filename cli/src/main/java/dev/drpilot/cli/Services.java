package dev.drpilot.cli;

import dev.drpilot.config.CollectorSettings;
import dev.drpilot.detector.DetectorHealth;
import dev.drpilot.detector.DetectorService;
import dev.drpilot.failover.FailoverActuator;
import dev.drpilot.ingest.CollectorIdentity;
import dev.drpilot.ingest.IngestService;
import dev.drpilot.notify.NotifyOptions;
import dev.drpilot.notify.NotifyService;
import dev.drpilot.recovery.RecoveryService;
import dev.drpilot.recovery.drill.DrillService;

import java.nio.file.Path;

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

    /**
     * Alert delivery to the configured receivers, with {@code /metrics} where {@code metrics} says, and beside it
     * {@code /healthz} and {@code /readyz} over every worker of the process (the failover's too).
     */
    static ServiceDefinition act(MetricsListenOption.Address metrics) {
        return new ServiceDefinition("act", NotifyService.TOPICS, context ->
                new NotifyService(context.config(), context.kafkaClientProperties(), context.clock(),
                        NotifyOptions.defaults().withMetrics(metrics.host(), metrics.port()), context.health()).start());
    }

    /** The failover actuator: carries out failover commands with the clusters' runbooks; its loop counts for the process's health. */
    static final ServiceDefinition FAILOVER = new ServiceDefinition("failover", FailoverActuator.TOPICS, context -> {
        FailoverActuator actuator = new FailoverActuator(context.config(), context.kafkaClientProperties(), context.clock()).start();
        context.health().watch(actuator.workers());
        return actuator;
    });

    /** The scheduled restore checks; one thread, which counts for the process's health. */
    static final ServiceDefinition RECOVERY = new ServiceDefinition("recovery", RecoveryService.TOPICS, context -> {
        RecoveryService recovery = new RecoveryService(context.config(), context.kafkaClientProperties(), context.clock(),
                context.config().collector().id()).start();
        context.health().watch(recovery);
        return recovery;
    });

    /** The scheduled drills; one thread, which counts for the process's health. */
    static final ServiceDefinition DRILLS = new ServiceDefinition("drills", DrillService.TOPICS, context -> {
        DrillWiring wiring = new DrillWiring(context.config(), context.kafkaClientProperties(), context.clock());
        DrillService drills = new DrillService(context.config(), wiring.runner(), wiring.reports(), context.clock(), wiring).start();
        context.health().watch(drills);
        return drills;
    });

    private Services() {
    }
}
