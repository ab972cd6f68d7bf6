package dev.drpilot.cli;

import dev.drpilot.actuator.ActuatorOptions;
import dev.drpilot.actuator.ActuatorService;
import dev.drpilot.config.CollectorSettings;
import dev.drpilot.detector.DetectorService;
import dev.drpilot.ingest.CollectorIdentity;
import dev.drpilot.ingest.IngestService;

import java.nio.file.Path;

/** drpilot's services, wired by hand from the configuration (constructor injection, no framework). */
final class Services {
    static final ServiceDefinition INGEST = new ServiceDefinition("ingest", IngestService.TOPICS, context -> {
        CollectorSettings collector = context.config().collector();
        CollectorIdentity identity = new CollectorIdentity(collector.id(), collector.vantage(), VersionCommand.drpilotVersion());
        return new IngestService(context.config(), identity, context.kafkaClientProperties(), context.clock()).start();
    });

    static final ServiceDefinition DETECT = new ServiceDefinition("detect", DetectorService.TOPICS, context ->
            new DetectorService(context.config(), context.kafkaClientProperties(), DetectorService.APPLICATION_ID,
                    Path.of(System.getProperty("java.io.tmpdir"), "drpilot-streams-" + ProcessHandle.current().pid())).start());

    /** Alert delivery to the configured receivers, with {@code /metrics} where {@code metrics} says. */
    static ServiceDefinition act(MetricsListenOption.Address metrics) {
        return new ServiceDefinition("act", ActuatorService.TOPICS, context ->
                new ActuatorService(context.config(), context.kafkaClientProperties(), context.clock(),
                        ActuatorOptions.defaults().withMetrics(metrics.host(), metrics.port())).start());
    }

    private Services() {
    }
}
