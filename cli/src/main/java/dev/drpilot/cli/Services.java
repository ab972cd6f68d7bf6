package dev.drpilot.cli;

import dev.drpilot.config.CollectorSettings;
import dev.drpilot.ingest.CollectorIdentity;
import dev.drpilot.ingest.IngestService;
import dev.drpilot.schemas.topic.Topics;

import java.util.List;

/** drpilot's services, wired by hand from the configuration (constructor injection, no framework). */
final class Services {
    static final ServiceDefinition INGEST = new ServiceDefinition("ingest", IngestService.TOPICS, context -> {
        CollectorSettings collector = context.config().collector();
        CollectorIdentity identity = new CollectorIdentity(collector.id(), collector.vantage(), VersionCommand.drpilotVersion());
        return new IngestService(context.config(), identity, context.kafkaClientProperties(), context.clock()).start();
    });

    // The detector's rules and the actuator's receivers arrive with their own issues; until then
    // these services create the topics they will read and write, and hold nothing else.
    static final ServiceDefinition DETECT = new ServiceDefinition("detect", List.of(
            Topics.REPLICATION_OBSERVATIONS, Topics.BACKUP_OBSERVATIONS, Topics.HEALTH_OBSERVATIONS,
            Topics.COLLECTOR_HEARTBEATS, Topics.ALERTS, Topics.FAILOVER_COMMANDS, Topics.DEAD_LETTER),
            context -> () -> { });

    static final ServiceDefinition ACT = new ServiceDefinition("act", List.of(
            Topics.ALERTS, Topics.FAILOVER_COMMANDS, Topics.ACTIONS, Topics.DEAD_LETTER),
            context -> () -> { });

    private Services() {
    }
}
