package dev.drpilot.recovery;

import dev.drpilot.config.Schedule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Jobs run on their {@link Schedule}s, one at a time on one daemon thread: the next run of a job is planned when its run
 * ends, so a run that overruns its interval delays the next one instead of overlapping it. A job that throws is logged
 * and planned again: the next run may succeed.
 */
public final class Schedules {
    private static final Logger LOG = LoggerFactory.getLogger(Schedules.class);

    private final Clock clock;
    private final ScheduledExecutorService scheduler;

    public Schedules(String threadName, Clock clock) {
        this.clock = clock;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, threadName);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** @param what names the job in the log ("restore check of orders-db") */
    public void add(String what, Schedule schedule, Runnable job) {
        Instant now = clock.instant();
        Instant next = schedule.next(now);
        LOG.info("{} next runs at {} ({})", what, next, schedule.text());
        scheduler.schedule(() -> runAndReschedule(what, schedule, job), Duration.between(now, next).toMillis(), TimeUnit.MILLISECONDS);
    }

    private void runAndReschedule(String what, Schedule schedule, Runnable job) {
        try {
            job.run();
        } catch (RuntimeException e) {
            LOG.error("{} could not run", what, e);
        } finally {
            if (!scheduler.isShutdown()) {
                add(what, schedule, job);
            }
        }
    }

    public boolean running() {
        return !scheduler.isShutdown();
    }

    /** Interrupts a run under way and waits for it to end, at most {@code timeout}. */
    public void close(Duration timeout) {
        scheduler.shutdownNow();
        try {
            if (!scheduler.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("a scheduled run did not stop within {} s", timeout.toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
