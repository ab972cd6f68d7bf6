package dev.drpilot.runtime;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * What a service started, stopped in the reverse order of starting — what started last may use what
 * started before it — and every one of them even when one fails to stop: a producer that will not
 * close must not leave a consumer thread running. The failures are reported together, once.
 */
public final class StartedResources implements AutoCloseable {
    private final String owner;
    private final Deque<AutoCloseable> resources = new ArrayDeque<>();

    /** @param owner named in the error when something does not stop, e.g. "notify" */
    public StartedResources(String owner) {
        this.owner = owner;
    }

    public synchronized void add(AutoCloseable resource) {
        resources.push(resource);
    }

    /** Stops everything added so far, the last added first; throws once, naming every one that did not stop cleanly. */
    @Override
    public synchronized void close() {
        List<String> problems = new ArrayList<>();
        while (!resources.isEmpty()) {
            try {
                resources.pop().close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                problems.add(e.toString());
            } catch (Exception e) {
                problems.add(e.toString());
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException(owner + " did not stop cleanly: " + problems);
        }
    }
}
