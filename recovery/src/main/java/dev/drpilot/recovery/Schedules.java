package dev.drpilot.recovery;

import dev.drpilot.config.Schedule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Jobs run on their {@link Schedule}s, one at a time on one thread: the next run of a job is planned when its run ends,
 * so a run that overruns its interval delays the next one instead of overlapping it. A job that throws is logged and
 * planned again: the next run may succeed.
 *
 * <p>Each run is planned for a due time and the next one is the first due time after it (or after the end of the run,
 * when it overran): a run is never planned twice for one due time, even when the timer fires a little before the wall
 * clock reaches it (the timer counts a delay rounded to milliseconds on the monotonic clock, not on the wall clock).
 * With a {@link RunLog} that outlives the process, a run that came due while the process was down runs once at start.
 */
public final class Schedules {
    private static final Logger LOG = LoggerFactory.getLogger(Schedules.class);

    /** Where a planned run waits: a single thread in production, a hand-driven queue in tests. */
    public interface Timer {
        void schedule(Runnable task, Duration delay);

        boolean running();

        /** Interrupts a run under way and waits for it to end, at most {@code timeout}. */
        void close(Duration timeout);
    }

    /** The due time of each job's last run, by the job's name; kept so that a restart can tell a run was missed. */
    public interface RunLog {
        Optional<Instant> lastDue(String job);

        void ran(String job, Instant due);

        /** Remembers nothing: after a restart every job waits for its next due time. */
        static RunLog inMemory() {
            java.util.Map<String, Instant> runs = new java.util.concurrent.ConcurrentHashMap<>();
            return new RunLog() {
                @Override
                public Optional<Instant> lastDue(String job) {
                    return Optional.ofNullable(runs.get(job));
                }

                @Override
                public void ran(String job, Instant due) {
                    runs.put(job, due);
                }
            };
        }
    }

    private final Clock clock;
    private final Timer timer;
    private final RunLog runLog;

    public Schedules(String threadName, Clock clock, RunLog runLog) {
        this(clock, singleThread(threadName), runLog);
    }

    public Schedules(Clock clock, Timer timer, RunLog runLog) {
        this.clock = clock;
        this.timer = timer;
        this.runLog = runLog;
    }

    /** @param what names the job in the log and in the run log ("restore check of orders-db") */
    public void add(String what, Schedule schedule, Runnable job) {
        Instant now = clock.instant();
        Optional<Instant> last = runLog.lastDue(what);
        Instant due = last.map(schedule::next).orElseGet(() -> schedule.next(now));
        if (due.isBefore(now)) {
            // Missed while the process was down: run once now, not once per missed due time.
            LOG.info("{} was due at {} ({}), missed: runs now", what, due, schedule.text());
            plan(what, schedule, job, now, now);
            return;
        }
        LOG.info("{} next runs at {} ({})", what, due, schedule.text());
        plan(what, schedule, job, due, now);
    }

    private void plan(String what, Schedule schedule, Runnable job, Instant due, Instant now) {
        timer.schedule(() -> runAndPlanNext(what, schedule, job, due), Duration.between(now, due));
    }

    private void runAndPlanNext(String what, Schedule schedule, Runnable job, Instant due) {
        // Logged before the run: a run that kills the process is not started again at once by every restart.
        runLog.ran(what, due);
        try {
            job.run();
        } catch (RuntimeException | LinkageError | AssertionError e) {
            // Errors too: the executor would keep a thrown Error in a future no one reads, and the failure would go unlogged.
            // (An OutOfMemoryError ends the process: -XX:+ExitOnOutOfMemoryError in the launcher and the image.)
            LOG.error("{} could not run", what, e);
        } finally {
            if (timer.running()) {
                Instant end = clock.instant();
                Instant next = schedule.next(due);
                if (!next.isAfter(end)) {
                    // The run overran the next due time(s): the next run is the first due after it ended, no burst.
                    next = schedule.next(end);
                }
                LOG.info("{} next runs at {} ({})", what, next, schedule.text());
                plan(what, schedule, job, next, end);
            }
        }
    }

    public boolean running() {
        return timer.running();
    }

    public void close(Duration timeout) {
        timer.close(timeout);
    }

    private static Timer singleThread(String threadName) {
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, threadName);
            thread.setDaemon(true);
            return thread;
        });
        return new Timer() {
            @Override
            public void schedule(Runnable task, Duration delay) {
                if (!scheduler.isShutdown()) {
                    scheduler.schedule(task, Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
                }
            }

            @Override
            public boolean running() {
                return !scheduler.isShutdown();
            }

            @Override
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
        };
    }
}
