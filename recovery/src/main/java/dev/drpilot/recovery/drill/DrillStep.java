package dev.drpilot.recovery.drill;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * One step of a drill as the report shows it.
 *
 * @param fix what to do about a step that did not pass, in words; empty when it passed
 */
public record DrillStep(String name, Status status, Instant startedAt, Duration duration, String detail, Optional<String> fix) {

    public enum Status { PASSED, FAILED, REFUSED, SKIPPED }
}
