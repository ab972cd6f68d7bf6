package dev.drpilot.recovery.drill;

import dev.drpilot.config.DrillSettings;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.config.Schedule;
import dev.drpilot.runtime.Worker;
import dev.drpilot.schemas.topic.Topic;
import dev.drpilot.schemas.topic.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

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
    private final Clock clock;
    private final AutoCloseable resources;
    private final ScheduledExecutorService scheduler;

    /** @param resources what the runner uses (its Kafka clients), closed after the last drill */
    public DrillService(DrpilotConfig config, DrillRunner runner, DrillReports reports, Clock clock, AutoCloseable resources) {
        this.config = config;
        this.runner = runner;
        this.reports = reports;
        this.clock = clock;
        this.resources = resources;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "drpilot-drills");
            thread.setDaemon(true);
            return thread;
        });
    }

    public DrillService start() {
        List<DrillSettings.Drill> scheduled = config.drills().plans().stream().filter(drill -> drill.schedule().isPresent()).toList();
        scheduled.forEach(drill -> scheduleNext(drill, drill.schedule().orElseThrow()));
        if (scheduled.isEmpty()) {
            LOG.warn("no drill has a schedule (drills.plans[].schedule): the drill service has nothing to run");
        }
        return this;
    }

    /** When each scheduled drill runs next, as of now. */
    public static Optional<Instant> nextRun(DrillSettings.Drill drill, Instant now) {
        return drill.schedule().map(schedule -> schedule.next(now));
    }

    private void scheduleNext(DrillSettings.Drill drill, Schedule schedule) {
        Instant now = clock.instant();
        Instant next = schedule.next(now);
        LOG.info("drill {} next runs at {} ({})", drill.name(), next, schedule.text());
        scheduler.schedule(() -> runAndReschedule(drill, schedule), Duration.between(now, next).toMillis(), TimeUnit.MILLISECONDS);
    }

    private void runAndReschedule(DrillSettings.Drill drill, Schedule schedule) {
        try {
            DrillReport report = runner.run(drill.name());
            DrillReports.Written written = reports.write(report);
            LOG.info("drill {}: {} in {}; report {}", drill.name(), report.outcome(), DrillReportFormat.seconds(report.duration()), written.markdown());
        } catch (Exception e) {
            // The schedule goes on: the next run may succeed, and its report says what this one could not.
            LOG.error("drill {} could not run or its report could not be written", drill.name(), e);
        } finally {
            if (!scheduler.isShutdown()) {
                scheduleNext(drill, schedule);
            }
        }
    }

    @Override
    public String name() {
        return "drpilot-drills";
    }

    @Override
    public boolean alive() {
        return !scheduler.isShutdown();
    }

    @Override
    public Optional<Throwable> failure() {
        // A failed drill is an outcome, reported; only stopping ends the service.
        return Optional.empty();
    }

    @Override
    public void close() {
        // A drill under way is interrupted between its steps; a switchover the actuator already carries out goes on there.
        scheduler.shutdownNow();
        try {
            if (!scheduler.awaitTermination(60, TimeUnit.SECONDS)) {
                LOG.warn("a drill did not stop within 60 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            resources.close();
        } catch (Exception e) {
            LOG.warn("the drill service's Kafka clients did not close cleanly", e);
        }
    }
}
