package dev.drpilot.runtime;

import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * A task scheduled at a fixed rate or delay, as a {@link Worker}: an executor silently stops running a periodic task
 * whose run threw, and its future is then done with that error. Alive while the future is not done.
 */
public record PeriodicTask(String name, Future<?> future) implements Worker {
    @Override
    public boolean alive() {
        return !future.isDone();
    }

    @Override
    public Optional<Throwable> failure() {
        if (!future.isDone() || future.isCancelled()) {
            return Optional.empty();
        }
        try {
            future.get();
            return Optional.empty();
        } catch (ExecutionException e) {
            return Optional.ofNullable(e.getCause());
        } catch (CancellationException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
