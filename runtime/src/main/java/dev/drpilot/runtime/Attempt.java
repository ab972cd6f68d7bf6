package dev.drpilot.runtime;

import java.time.Instant;

/**
 * Which time a record is handed to its handler: {@code number} 1 the first time, 2 after one {@link Outcome#retryAt},
 * and so on; {@code firstAt} when it was first handed. Starts again at 1 when the loop gives the record up for a while
 * (its partition moved away, or the round failed and is retried).
 */
public record Attempt(int number, Instant firstAt) {
    public int retries() {
        return number - 1;
    }
}
