package dev.drpilot.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The health of one process's workers, for a liveness and a readiness probe. Live: every worker watched is alive —
 * one that died (a {@link ConsumerLoop} whose error policy gave up) makes the process unhealthy, so that it is
 * restarted instead of running on without it. Ready: the process said it has started everything, and is live.
 * Workers are watched once started; the owner calls {@link #started()} when the last service is up.
 */
public final class WorkerHealth {
    private final List<Worker> workers = new CopyOnWriteArrayList<>();
    private final Map<String, Supplier<Optional<String>>> readyWhen = new ConcurrentHashMap<>();
    private volatile boolean started;

    /** What a probe answers: healthy or not, and the text that says why (each dead worker, with its error). */
    public record Probe(boolean healthy, String text) {
    }

    public WorkerHealth watch(Worker worker) {
        workers.add(worker);
        return this;
    }

    public WorkerHealth watch(List<? extends Worker> more) {
        workers.addAll(more);
        return this;
    }

    /**
     * One more condition for readiness, not for liveness (a Kafka Streams application rebalancing or restoring its
     * state is alive, but does not detect yet): {@code notReadyBecause} says why it is not ready, empty when it is.
     */
    public WorkerHealth readyWhen(String name, Supplier<Optional<String>> notReadyBecause) {
        readyWhen.put(name, notReadyBecause);
        return this;
    }

    /** Every service of the process has started: from now on it is ready while it is live. */
    public void started() {
        started = true;
    }

    public Probe liveness() {
        return liveness(workers);
    }

    public Probe readiness() {
        Probe ready = readiness(started, workers);
        if (!ready.healthy()) {
            return ready;
        }
        List<String> waiting = new ArrayList<>();
        new TreeMap<>(readyWhen).forEach((name, condition) -> condition.get().ifPresent(why -> waiting.add(name + ": " + why)));
        return waiting.isEmpty() ? ready : new Probe(false, "not ready: " + String.join("; ", waiting));
    }

    /**
     * Healthy when every worker is alive, naming those that retry a failure (alive: a restart would not help them);
     * otherwise names each dead one and why it died.
     */
    static Probe liveness(List<? extends Worker> workers) {
        List<String> dead = new ArrayList<>();
        List<String> troubled = new ArrayList<>();
        for (Worker worker : workers) {
            if (!worker.alive()) {
                Optional<Throwable> failure = worker.failure();
                dead.add(worker.name() + ": " + failure.map(Throwable::toString).orElse("stopped"));
            } else {
                worker.trouble().ifPresent(trouble -> troubled.add(worker.name() + ": " + trouble));
            }
        }
        if (dead.isEmpty()) {
            return new Probe(true, "ok: " + workers.size() + " worker(s) alive " + workers.stream().map(Worker::name).toList()
                    + (troubled.isEmpty() ? "" : "; retrying: " + String.join("; ", troubled)));
        }
        return new Probe(false, "dead: " + String.join("; ", dead));
    }

    static Probe readiness(boolean started, List<? extends Worker> workers) {
        if (!started) {
            return new Probe(false, "starting: " + workers.size() + " worker(s) started so far");
        }
        Probe live = liveness(workers);
        return live.healthy() ? new Probe(true, "ready: " + live.text()) : live;
    }
}
