package dev.drpilot.recovery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** A wall clock and a timer that fires its tasks only when the test moves the clock, in due order. */
public final class HandClock extends Clock implements Schedules.Timer {
    private record Task(Instant at, long order, Runnable run) {
    }

    private final List<Task> tasks = new ArrayList<>();
    private Instant now;
    private long order;
    private boolean open = true;

    public HandClock(String now) {
        this.now = Instant.parse(now);
    }

    @Override
    public Instant instant() {
        return now;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void schedule(Runnable task, Duration delay) {
        tasks.add(new Task(now.plus(delay.isNegative() ? Duration.ZERO : delay), order++, task));
    }

    @Override
    public boolean running() {
        return open;
    }

    @Override
    public void close(Duration timeout) {
        open = false;
        tasks.clear();
    }

    /** Fires what is due up to {@code until} (the clock moves to each task's time, as a real timer's wait would). */
    void advanceTo(String until) {
        Instant end = Instant.parse(until);
        while (true) {
            Task next = tasks.stream().filter(task -> !task.at().isAfter(end))
                    .min(Comparator.comparing(Task::at).thenComparing(Task::order)).orElse(null);
            if (next == null) {
                break;
            }
            tasks.remove(next);
            if (next.at().isAfter(now)) {
                now = next.at();
            }
            next.run().run();
        }
        if (end.isAfter(now)) {
            now = end;
        }
    }

    /** Fires the next task now, before its due time: a real timer's millisecond rounding can make it fire early. */
    void fireNextEarly(Duration early) {
        Task next = tasks.stream().min(Comparator.comparing(Task::at).thenComparing(Task::order)).orElseThrow();
        tasks.remove(next);
        now = next.at().minus(early);
        next.run().run();
    }

    List<Instant> planned() {
        return tasks.stream().map(Task::at).sorted().toList();
    }

    void set(String instant) {
        now = Instant.parse(instant);
    }

    /** Moves the clock without firing anything (for code that only reads the time). */
    public void move(Duration by) {
        now = now.plus(by);
    }
}
