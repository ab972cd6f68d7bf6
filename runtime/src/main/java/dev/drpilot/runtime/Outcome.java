package dev.drpilot.runtime;

import java.time.Instant;
import java.util.Objects;

/**
 * A handler's verdict on one record. Not done keeps the record at the head of the loop's queue, uncommitted:
 * the loop pauses its partitions (it keeps polling, so it stays in its group) and hands the same record again
 * when {@link #retryAt()} has come, or not at all when the loop is closing.
 */
public final class Outcome {
    private static final Outcome DONE = new Outcome(null);
    private static final Outcome NOT_DONE = new Outcome(Instant.MIN);

    private final Instant retryAt;

    private Outcome(Instant retryAt) {
        this.retryAt = retryAt;
    }

    /** Finished with: the loop commits its offset (under {@link CommitPolicy#AFTER_EACH_RECORD}) and moves on. */
    public static Outcome done() {
        return DONE;
    }

    /** Not finished: to be handed again once the loop's clock reaches {@code at}. */
    public static Outcome retryAt(Instant at) {
        return new Outcome(Objects.requireNonNull(at, "at"));
    }

    /** Not finished and not to be committed, handed again at the next round: what a handler says when it was stopped midway. */
    public static Outcome notDone() {
        return NOT_DONE;
    }

    public boolean isDone() {
        return retryAt == null;
    }

    /** When a record that is not done is handed again; {@link Instant#MIN} for at once. */
    public Instant retryAt() {
        if (retryAt == null) {
            throw new IllegalStateException("a done record is not retried");
        }
        return retryAt;
    }

    @Override
    public String toString() {
        return isDone() ? "done" : "retry at " + retryAt;
    }
}
