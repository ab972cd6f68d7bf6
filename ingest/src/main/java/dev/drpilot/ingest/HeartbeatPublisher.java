package dev.drpilot.ingest;

import dev.drpilot.events.CollectorHeartbeat;
import dev.drpilot.runtime.PeriodicTask;
import dev.drpilot.runtime.Worker;
import dev.drpilot.schemas.topic.Topics;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Publishes a {@link CollectorHeartbeat} every interval, so that a collector that died can be
 * told apart from a system where every check is green (the silent-collector rule watches these).
 */
public final class HeartbeatPublisher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HeartbeatPublisher.class);

    private final CollectorIdentity identity;
    private final Duration interval;
    private final List<String> runs;
    private final Producer<String, CollectorHeartbeat> producer;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private final AtomicLong failures = new AtomicLong();
    private final Delivered delivered;
    private volatile Worker worker;

    /** Told of each heartbeat once Kafka took it ({@code error} null) or finally refused it. */
    @FunctionalInterface
    public interface Delivered {
        void heartbeat(CollectorHeartbeat heartbeat, Exception error);
    }

    public HeartbeatPublisher(CollectorIdentity identity, Duration interval, List<String> runs,
                              Producer<String, CollectorHeartbeat> producer, Clock clock) {
        this(identity, interval, runs, producer, clock, (heartbeat, error) -> { });
    }

    public HeartbeatPublisher(CollectorIdentity identity, Duration interval, List<String> runs,
                              Producer<String, CollectorHeartbeat> producer, Clock clock, Delivered delivered) {
        this.delivered = delivered;
        this.identity = identity;
        this.interval = interval;
        this.runs = List.copyOf(runs);
        this.producer = producer;
        this.clock = clock;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "heartbeat-" + identity.collectorId());
            thread.setDaemon(true);
            return thread;
        });
    }

    public void start() {
        worker = new PeriodicTask("heartbeat", scheduler.scheduleAtFixedRate(this::beat, 0, interval.toMillis(), TimeUnit.MILLISECONDS));
        log.info("[collector={}] publishing heartbeats every {} s to {}", identity.collectorId(),
                interval.toSeconds(), Topics.COLLECTOR_HEARTBEATS.name());
    }

    /** The heartbeat's schedule, once started, for the process's health. */
    public Worker worker() {
        return worker;
    }

    /** Heartbeats that Kafka finally refused (after the producer's own retries). */
    public long failures() {
        return failures.get();
    }

    void beat() {
        CollectorHeartbeat heartbeat = CollectorHeartbeat.newBuilder()
                .setCollectorId(identity.collectorId())
                .setVantage(identity.vantage())
                .setSentAt(clock.instant())
                .setIntervalMillis(interval.toMillis())
                .setRuns(runs)
                .setVersion(identity.version())
                .build();
        producer.send(new ProducerRecord<>(Topics.COLLECTOR_HEARTBEATS.name(), identity.collectorId(), heartbeat),
                (metadata, error) -> {
                    delivered.heartbeat(heartbeat, error);
                    if (error != null) {
                        failures.incrementAndGet();
                        log.warn("[collector={}] heartbeat not delivered: {}", identity.collectorId(), error.toString());
                    }
                });
    }

    @Override
    public void close() {
        scheduler.shutdown();
        try {
            if (!scheduler.awaitTermination(5, TimeUnit.SECONDS)) {
                scheduler.shutdownNow();
            }
        } catch (InterruptedException e) {
            scheduler.shutdownNow();
            Thread.currentThread().interrupt();
        }
        producer.flush();
    }
}
