package dev.drpilot.cli;

import dev.drpilot.config.CollectorSettings;
import dev.drpilot.detector.DetectorService;
import dev.drpilot.ingest.CollectorIdentity;
import dev.drpilot.ingest.IngestService;
import dev.drpilot.schemas.topic.Topics;

import java.nio.file.Path;
import java.util.List;

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

    // The actuator's receivers arrive with their own issue; until then it creates the topics it
    // will read and write, and holds nothing else.

    static final ServiceDefinition ACT = new ServiceDefinition("act", List.of(
            Topics.ALERTS, Topics.FAILOVER_COMMANDS, Topics.ACTIONS, Topics.DEAD_LETTER),
            context -> () -> { });

    private Services() {
    }
}
