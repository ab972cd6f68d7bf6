package dev.drpilot.config;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * When a backup's outcome counts, and whether a component's last backup counts as failed: the
 * backup-failed rule, the status page and {@code /metrics} read backup reports the same way.
 */
public final class BackupOutcomes {
    private BackupOutcomes() {
    }

    /**
     * A failure counts from when it was reported: a report of a failure may carry the finish of the
     * newest good backup (pgBackRest does), which says nothing about when the failure happened.
     */
    public static Instant failureAt(Instant observedAt) {
        return observedAt;
    }

    /**
     * A success counts from when its backup finished, not from when it was listed: a poller listing
     * the old newest backup again proves nothing new. Without a finish time, the point it makes
     * recoverable; without either, the report itself.
     */
    public static Instant successAt(Instant finishedAt, Instant recoveryPointAt, Instant observedAt) {
        return Objects.requireNonNullElse(finishedAt, Objects.requireNonNullElse(recoveryPointAt, observedAt));
    }

    /** The newest failure is later than the newest success (or there is none): a success at the same instant clears it. */
    public static boolean lastFailed(Optional<Instant> newestFailure, Optional<Instant> newestSuccess) {
        return newestFailure.isPresent() && (newestSuccess.isEmpty() || newestFailure.get().isAfter(newestSuccess.get()));
    }
}
