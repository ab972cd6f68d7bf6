package dev.drpilot.ingest.health;

import dev.drpilot.events.HealthObservation;
import dev.drpilot.events.NodeRole;
import dev.drpilot.events.Source;
import dev.drpilot.runtime.PeriodicTask;
import dev.drpilot.runtime.Worker;
import dev.drpilot.schemas.topic.Topics;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs every probe on its own interval and publishes one {@link HealthObservation} per run. The
 * scheduler thread only starts runs; each run executes on a worker and is declared failed at its
 * deadline whatever the check is doing, so a hung or black-holed target produces a failed
 * observation within its timeout and never delays another probe or the next tick. While a run
 * is still stuck past its deadline, the next tick reports a failure instead of piling up threads.
 */
public final class ProbeScheduler implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ProbeScheduler.class);

    private final List<ScheduledProbe> probes;
    private final Source source;
    private final Producer<String, HealthObservation> producer;
    private final Clock clock;
    private final ScheduledExecutorService ticker;
    private final ExecutorService workers;
    private final Map<String, CompletableFuture<?>> running = new ConcurrentHashMap<>();
    private final AtomicLong publishFailures = new AtomicLong();
    private final Consumer<HealthObservation> observed;
    private final List<Worker> tickers = new CopyOnWriteArrayList<>();

    ProbeScheduler(List<ScheduledProbe> probes, Source source, Producer<String, HealthObservation> producer, Clock clock) {
        this(probes, source, producer, clock, observation -> { });
    }

    /** @param observed told of every run's observation as it is published (for {@code /metrics}) */
    ProbeScheduler(List<ScheduledProbe> probes, Source source, Producer<String, HealthObservation> producer, Clock clock,
                   Consumer<HealthObservation> observed) {
        this.observed = observed;
        this.probes = List.copyOf(probes);
        this.source = source;
        this.producer = producer;
        this.clock = clock;
        AtomicInteger ids = new AtomicInteger();
        this.ticker = Executors.newSingleThreadScheduledExecutor(runnable -> daemon(runnable, "probe-ticker"));
        this.workers = Executors.newCachedThreadPool(runnable -> daemon(runnable, "probe-" + ids.incrementAndGet()));
    }

    private static Thread daemon(Runnable runnable, String name) {
        Thread thread = new Thread(runnable, name);
        thread.setDaemon(true);
        return thread;
    }

    public void start() {
        for (ScheduledProbe probe : probes) {
            tickers.add(new PeriodicTask("probe:" + probe.name(),
                    ticker.scheduleAtFixedRate(() -> tick(probe), 0, probe.interval().toMillis(), TimeUnit.MILLISECONDS)));
        }
        log.info("running {} health probes", probes.size());
    }

    public List<String> probeNames() {
        return probes.stream().map(ScheduledProbe::name).toList();
    }

    /** Each probe's schedule, for the process's health: a tick that threw would silently end that probe's runs. */
    public List<Worker> workers() {
        return List.copyOf(tickers);
    }

    public long publishFailures() {
        return publishFailures.get();
    }

    /** Starts one run of {@code probe}, or reports that the previous one is still stuck. */
    void tick(ScheduledProbe probe) {
        Instant startedAt = clock.instant();
        CompletableFuture<?> previous = running.get(probe.name());
        if (previous != null && !previous.isDone()) {
            publish(probe, startedAt, ProbeOutcome.failed("previous probe still running past its "
                    + probe.timeout().toMillis() + " ms timeout (target hung)"), null);
            return;
        }
        long began = System.nanoTime();
        CompletableFuture<ProbeOutcome> work = CompletableFuture.supplyAsync(() -> runCheck(probe), workers);
        running.put(probe.name(), work);
        // The deadline applies to a copy: the work itself stays incomplete while its thread is stuck,
        // which is what the next tick looks at.
        work.copy().orTimeout(probe.timeout().toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((outcome, error) -> {
                    long latencyMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
                    if (error == null) {
                        publish(probe, startedAt, outcome, latencyMillis);
                    } else if (unwrap(error) instanceof TimeoutException) {
                        publish(probe, startedAt, ProbeOutcome.failed("timed out after " + probe.timeout().toMillis() + " ms"), null);
                    } else {
                        publish(probe, startedAt, ProbeOutcome.failed(describe(unwrap(error))), latencyMillis);
                    }
                });
    }

    private static ProbeOutcome runCheck(ScheduledProbe probe) {
        try {
            return probe.check().check();
        } catch (Exception e) {
            return ProbeOutcome.failed(describe(e));
        }
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    private static String describe(Throwable error) {
        String message = error.getMessage();
        return error.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    private void publish(ScheduledProbe probe, Instant startedAt, ProbeOutcome outcome, Long latencyMillis) {
        HealthObservation observation = HealthObservation.newBuilder()
                .setObservedAt(startedAt)
                .setSource(source)
                .setProbe(probe.name())
                .setKind(probe.kind())
                .setComponent(probe.component())
                .setCluster(probe.cluster().orElse(null))
                .setNode(probe.node().orElse(null))
                .setTarget(probe.check().target())
                .setOk(outcome.ok())
                .setAnswered(outcome.answered())
                .setRole(outcome.ok() ? outcome.role() : NodeRole.UNKNOWN)
                .setLatencyMillis(latencyMillis)
                .setError(outcome.error())
                .setSqlState(outcome.sqlState())
                .setDetails(outcome.details())
                .build();
        observed.accept(observation);
        producer.send(new ProducerRecord<>(Topics.HEALTH_OBSERVATIONS.name(), probe.key(), observation), (metadata, error) -> {
            if (error != null) {
                publishFailures.incrementAndGet();
                log.warn("[probe={}] health observation not delivered: {}", probe.name(), error.toString());
            }
        });
        if (outcome.answered() && !outcome.ok()) {
            log.debug("[probe={}] answered with SQLSTATE {}: {}", probe.name(), outcome.sqlState(), outcome.error());
        } else if (!outcome.ok()) {
            log.debug("[probe={}] failed: {}", probe.name(), outcome.error());
        }
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        workers.shutdownNow();
        try {
            ticker.awaitTermination(5, TimeUnit.SECONDS);
            workers.awaitTermination(Duration.ofSeconds(5).toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
