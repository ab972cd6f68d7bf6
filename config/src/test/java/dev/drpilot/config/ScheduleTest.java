package dev.drpilot.config;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ScheduleTest {

    @ParameterizedTest(name = "{0} after {1} runs at {2}")
    @CsvSource(delimiter = '|', textBlock = """
            0 3 * * 0       | 2026-12-01T04:00:00Z | 2026-12-06T03:00:00Z
            0 3 * * 7       | 2026-12-06T03:00:00Z | 2026-12-13T03:00:00Z
            */15 * * * *    | 2026-12-01T04:07:30Z | 2026-12-01T04:15:00Z
            30 2 1 * *      | 2026-12-01T04:00:00Z | 2027-01-01T02:30:00Z
            0 0 29 2 *      | 2026-03-01T00:00:00Z | 2028-02-29T00:00:00Z
            0 9-17/4 * * 1-5 | 2026-12-04T17:00:00Z | 2026-12-07T09:00:00Z
            0 3 13 * 5      | 2026-12-01T00:00:00Z | 2026-12-04T03:00:00Z
            every 6h        | 2026-12-01T04:00:00Z | 2026-12-01T10:00:00Z
            """)
    void nextRun(String text, String after, String expected) {
        assertThat(Schedule.parse(text).next(Instant.parse(after))).isEqualTo(Instant.parse(expected));
    }

    @ParameterizedTest(name = "{0}: longest gap {1}")
    @CsvSource(delimiter = '|', textBlock = """
            0 3 * * 0  | P7D
            0 3 1 * *  | P31D
            every 36h  | PT36H
            """)
    void longestGap(String text, Duration expected) {
        assertThat(Schedule.parse(text).longestGap()).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            weekly          | is not a schedule
            0 3 * *         | is not a schedule
            0 25 * * *      | hour "25" is outside 0-23
            0 3 * * mon     | day-of-week "mon" is not a number
            every 10s       | at least 1m
            """)
    void badSchedulesSayWhy(String text, String message) {
        assertThatThrownBy(() -> Schedule.parse(text)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
    }
}
