package dev.drpilot.recovery;

import dev.drpilot.config.Schedule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When scheduled jobs run, on a clock the test moves by hand: a due run fires once, a run missed while the service was
 * down runs once at start, a run longer than the interval does not overlap itself or burst afterwards.
 */
class SchedulesTest {
    private static final Schedule AT_FOUR = Schedule.parse("0 4 * * *");
    private static final Schedule HOURLY = Schedule.parse("every 1h");

    @TempDir
    Path dir;


    @Test
    void aDueRunFiresOnceAndTheNextIsPlannedForTheNextDueTime() {
        HandClock clock = new HandClock("2026-12-01T03:00:00Z");
        List<Instant> runs = new ArrayList<>();
        Schedules schedules = new Schedules(clock, clock, Schedules.RunLog.inMemory());

        schedules.add("check", AT_FOUR, () -> runs.add(clock.instant()));
        assertThat(clock.planned()).containsExactly(Instant.parse("2026-12-01T04:00:00Z"));

        clock.advanceTo("2026-12-02T03:59:00Z");
        assertThat(runs).containsExactly(Instant.parse("2026-12-01T04:00:00Z"));
        assertThat(clock.planned()).containsExactly(Instant.parse("2026-12-02T04:00:00Z"));
        clock.advanceTo("2026-12-03T05:00:00Z");
        assertThat(runs).hasSize(3);
    }

    @Test
    void aTimerFiringAMillisecondEarlyDoesNotRunTheSameDueTimeTwice() {
        // The double run a previous helper saw: a quick run that ended before the wall clock reached its due time planned
        // "the next run after now" — the same due time — again.
        HandClock clock = new HandClock("2026-12-01T03:59:59.900Z");
        List<Instant> runs = new ArrayList<>();
        Schedules schedules = new Schedules(clock, clock, Schedules.RunLog.inMemory());
        schedules.add("check", AT_FOUR, () -> runs.add(clock.instant()));

        clock.fireNextEarly(Duration.ofMillis(1));

        assertThat(runs).hasSize(1);
        assertThat(clock.planned()).containsExactly(Instant.parse("2026-12-02T04:00:00Z"));
    }

    @Test
    void aRunMissedWhileDownRunsOnceAtStartAndThenKeepsItsSchedule() {
        Path log = dir.resolve("runs.properties");
        HandClock before = new HandClock("2026-12-01T03:00:00Z");
        Schedules first = new Schedules(before, before, new RunLogFile(log));
        List<Instant> runs = new ArrayList<>();
        first.add("check", AT_FOUR, () -> runs.add(before.instant()));
        before.advanceTo("2026-12-01T05:00:00Z");
        first.close(Duration.ZERO);
        assertThat(runs).hasSize(1);

        // Down from 05:00 on the 1st until 10:00 on the 3rd: the runs due on the 2nd and 3rd were missed.
        HandClock after = new HandClock("2026-12-03T10:00:00Z");
        Schedules restarted = new Schedules(after, after, new RunLogFile(log));
        restarted.add("check", AT_FOUR, () -> runs.add(after.instant()));
        assertThat(after.planned()).as("one catch-up run, at once").containsExactly(Instant.parse("2026-12-03T10:00:00Z"));

        after.advanceTo("2026-12-03T10:00:00Z");
        assertThat(runs).containsExactly(Instant.parse("2026-12-01T04:00:00Z"), Instant.parse("2026-12-03T10:00:00Z"));
        assertThat(after.planned()).containsExactly(Instant.parse("2026-12-04T04:00:00Z"));

        // A restart that missed nothing waits for the next due time.
        HandClock again = new HandClock("2026-12-03T11:00:00Z");
        Schedules third = new Schedules(again, again, new RunLogFile(log));
        third.add("check", AT_FOUR, () -> runs.add(again.instant()));
        assertThat(again.planned()).containsExactly(Instant.parse("2026-12-04T04:00:00Z"));
    }

    @Test
    void withoutARunLogARestartWaitsForTheNextDueTime() {
        HandClock clock = new HandClock("2026-12-03T10:00:00Z");
        new Schedules(clock, clock, Schedules.RunLog.inMemory()).add("check", AT_FOUR, () -> { });
        assertThat(clock.planned()).containsExactly(Instant.parse("2026-12-04T04:00:00Z"));
    }

    @Test
    void aLongRunDoesNotOverlapItselfNorBurstAfterwards() {
        HandClock clock = new HandClock("2026-12-01T00:00:00Z");
        List<String> events = new ArrayList<>();
        Schedules schedules = new Schedules(clock, clock, Schedules.RunLog.inMemory());
        schedules.add("drill", HOURLY, () -> {
            events.add("start " + clock.instant());
            // This run takes 2.5 h: two due times pass while it runs.
            assertThat(clock.planned()).as("nothing is planned while the run is under way").isEmpty();
            clock.set(clock.instant().plus(Duration.ofMinutes(150)).toString());
            events.add("end " + clock.instant());
        });

        clock.advanceTo("2026-12-01T01:00:00Z");
        assertThat(events).containsExactly("start 2026-12-01T01:00:00Z", "end 2026-12-01T03:30:00Z");
        assertThat(clock.planned()).as("the first due time after the end, once").containsExactly(Instant.parse("2026-12-01T04:30:00Z"));
    }

    @Test
    void aRunThatThrowsIsPlannedAgain() {
        runsTwiceThrowing(() -> {
            throw new IllegalStateException("boom");
        });
    }

    @Test
    void aRunThatThrowsAnErrorIsPlannedAgainToo() {
        // What a broken backup tool's class path or a failed static initialiser throws.
        Schedules schedules = runsTwiceThrowing(() -> {
            throw new NoClassDefFoundError("org/example/Missing");
        });
        assertThat(schedules.running()).isTrue();
    }

    /** A daily job that throws every time, run at two due times: each run happens and the next due time is planned. */
    private static Schedules runsTwiceThrowing(Runnable failure) {
        HandClock clock = new HandClock("2026-12-01T03:00:00Z");
        List<Instant> runs = new ArrayList<>();
        Schedules schedules = new Schedules(clock, clock, Schedules.RunLog.inMemory());
        schedules.add("check", AT_FOUR, () -> {
            runs.add(clock.instant());
            failure.run();
        });
        clock.advanceTo("2026-12-02T04:00:00Z");
        assertThat(runs).hasSize(2);
        assertThat(clock.planned()).containsExactly(Instant.parse("2026-12-03T04:00:00Z"));
        return schedules;
    }

    @Test
    void aClosedScheduleRunsNothingMore() {
        HandClock clock = new HandClock("2026-12-01T03:00:00Z");
        List<Instant> runs = new ArrayList<>();
        Schedules schedules = new Schedules(clock, clock, Schedules.RunLog.inMemory());
        schedules.add("check", AT_FOUR, () -> runs.add(clock.instant()));
        schedules.close(Duration.ZERO);
        clock.advanceTo("2026-12-02T05:00:00Z");
        assertThat(runs).isEmpty();
        assertThat(schedules.running()).isFalse();
    }
}
