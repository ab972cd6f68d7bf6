package dev.drpilot.recovery.drill;

import dev.drpilot.config.DrillSettings;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.recovery.RunLogFile;
import dev.drpilot.recovery.Schedules;
import dev.drpilot.runtime.Worker;
import dev.drpilot.schemas.topic.Topic;
import dev.drpilot.schemas.topic.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * {@code drpilot drill serve}: runs each drill that has a schedule when it is due, one at a time, and writes its
 * report. A drill refused (the cluster paused, an incident open) is recorded as refused and runs again at its next
 * scheduled time: a pause holds a cluster's drills as it holds its failovers.
 */
public final class DrillService implements AutoCloseable, Worker {
    public static final List<Topic<?, ?>> TOPICS = List.of(Topics.FAILOVER_COMMANDS, Topics.FAILOVER_CONTROL, Topics.ACTIONS,
            Topics.ALERTS, Topics.RESTORE_CHECKS);
    private static final Logger LOG = LoggerFactory.getLogger(DrillService.class);

    private final DrpilotConfig config;
    private final DrillRunner runner;
    private final DrillReports reports;
    private final AutoCloseable resources;
    private final Schedules schedules;

    /** @param resources what the runner uses (its Kafka clients), closed after the last drill */
    public DrillService(DrpilotConfig config, DrillRunner runner, DrillReports reports, Clock clock, AutoCloseable resources) {
        this.config = config;
        this.runner = runner;
        this.reports = reports;
        this.resources = resources;
        // In the report directory: the drills' last runs live there already, and it outlives a restart.
        this.schedules = new Schedules("drpilot-drills", clock, new RunLogFile(config.drills().reportDirectory().resolve("schedule-runs.properties")));
    }

    public DrillService start() {
        List<DrillSettings.Drill> scheduled = config.drills().plans().stream().filter(drill -> drill.schedule().isPresent()).toList();
        scheduled.forEach(drill -> schedules.add("drill " + drill.name(), drill.schedule().orElseThrow(), () -> runAndReport(drill)));
        if (scheduled.isEmpty()) {
            LOG.warn("no drill has a schedule (drills.plans[].schedule): the drill service has nothing to run");
        }
        return this;
    }

    private void runAndReport(DrillSettings.Drill drill) {
        DrillReport report = runner.run(drill.name());
        try {
            DrillReports.Written written = reports.write(report);
            LOG.info("drill {}: {} in {}; report {}", drill.name(), report.outcome(), DrillReportFormat.seconds(report.duration()), written.markdown());
        } catch (IOException e) {
            throw new UncheckedIOException("the report of " + report.runId() + " could not be written to " + config.drills().reportDirectory(), e);
        }
    }

    @Override
    public String name() {
        return "drpilot-drills";
    }

    @Override
    public boolean alive() {
        return schedules.running();
    }

    @Override
    public Optional<Throwable> failure() {
        // A failed drill is an outcome, reported; only stopping ends the service.
        return Optional.empty();
    }

    @Override
    public void close() {
        // A drill under way is interrupted between its steps; a switchover the actuator already carries out goes on there.
        schedules.close(Duration.ofSeconds(60));
        try {
            resources.close();
        } catch (Exception e) {
            LOG.warn("the drill service's Kafka clients did not close cleanly", e);
        }
    }
}
