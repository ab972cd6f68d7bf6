package dev.drpilot.detector.bench;

import dev.drpilot.events.ReplicationObservation;
import dev.drpilot.events.Source;
import dev.drpilot.schemas.topic.Topics;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * Publishes {@link ReplicationObservation}s keyed by cluster at a paced rate, on its own thread.
 *
 * <p>Pacing is a schedule, not a busy loop: after {@code t} seconds exactly {@code rate * t}
 * records are due; the thread sends what is due, then parks for a millisecond. When the producer
 * cannot keep up (its buffer is full, {@code send} blocks), the records due pile up and are sent
 * late, and the achieved rate printed next to the offered one shows it. In {@code max} mode it
 * sends as fast as it can while it is less than {@code maxLag} records ahead of the detector.
 *
 * <p>The stream: components {@code db-000000 ...} each with cluster of the same name (the record
 * key), replica {@code pg-2}, round robin, healthy (lag 0.2 s: never raises an alert, the common
 * case). A share {@code probeShare} of the records goes instead to replica {@code probe} of one of
 * {@code min(components, 100)} probe clusters, each cycling through lag 90 s, 90 s, 0 s, 0 s with
 * its event time ({@code observedAt}) advancing 1 s per step: with {@code lagHold: 1s} and
 * {@code resolveHold: 1s} the 2nd step raises a FIRING alert and the 4th a RESOLVED one, so every
 * second probe record triggers exactly one alert, whatever the wall-clock pacing. The rule stamps
 * the alert's {@code startsAt} (FIRING) or {@code endsAt} (RESOLVED) one step before the triggering
 * observation's {@code observedAt}, which is how {@link AlertLatencies} matches an alert to the
 * record that caused it.
 */
final class ObservationLoad implements AutoCloseable {
    /** Event time between two observations of a probe replica; the benchmark's holds are one step. */
    static final long STEP_MILLIS = 1_000L;

    static final int MAX_PROBES = 100;
    static final String REPLICA = "pg-2";
    static final String PROBE_REPLICA = "probe";
    private static final double PROBE_LAG_SECONDS = 90.0;
    private static final double HEALTHY_LAG_SECONDS = 0.2;

    private final KafkaProducer<String, ReplicationObservation> producer;
    private final int rate;
    private final String[] clusters;
    private final int[] probeClusters;
    private final int[] probeSteps;
    private final long probeEvery;
    private final long maxLag;
    private final LongSupplier consumed;
    private final AlertLatencies latencies;
    private final Source source = Source.newBuilder().setCollectorId("bench").setVantage("bench").build();
    private final long eventTimeBase = System.currentTimeMillis();
    private final AtomicLong acked = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final Callback callback = (metadata, error) -> (error == null ? acked : failed).incrementAndGet();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long sent;
    private volatile Throwable error;
    private long probeCount;

    ObservationLoad(KafkaProducer<String, ReplicationObservation> producer, int rate, int components, double probeShare,
                    long maxLag, LongSupplier consumed, AlertLatencies latencies) {
        this.producer = producer;
        this.rate = rate;
        this.maxLag = maxLag;
        this.consumed = consumed;
        this.latencies = latencies;
        this.clusters = new String[components];
        for (int i = 0; i < components; i++) {
            clusters[i] = clusterName(i);
        }
        int probes = Math.min(components, MAX_PROBES);
        this.probeClusters = new int[probes];
        for (int slot = 0; slot < probes; slot++) {
            probeClusters[slot] = (int) ((long) slot * components / probes);
        }
        this.probeSteps = new int[probes];
        this.probeEvery = probeShare <= 0 ? 0 : Math.max(1, Math.round(1 / probeShare));
        this.thread = new Thread(this::run, "bench-load");
        thread.setDaemon(true);
    }

    static String clusterName(int index) {
        return String.format("db-%06d", index);
    }

    ObservationLoad start() {
        thread.start();
        return this;
    }

    /** Records handed to the producer so far. */
    long sent() {
        return sent;
    }

    long acked() {
        return acked.get();
    }

    long failed() {
        return failed.get();
    }

    private void run() {
        long start = System.nanoTime();
        long n = 0;
        long normal = 0;
        try {
            while (running) {
                if (rate == BenchOptions.MAX) {
                    if (n - consumed.getAsLong() > maxLag) {
                        LockSupport.parkNanos(1_000_000);
                        continue;
                    }
                    long burst = n + 1_000;
                    while (n < burst && running) {
                        normal = send(n++, normal);
                    }
                    sent = n;
                    continue;
                }
                long due = (System.nanoTime() - start) * rate / 1_000_000_000L;
                while (n < due && running) {
                    normal = send(n++, normal);
                }
                sent = n;
                LockSupport.parkNanos(1_000_000);
            }
        } catch (RuntimeException e) {
            error = e;
        }
        sent = n;
    }

    private long send(long n, long normal) {
        long now = System.currentTimeMillis();
        ReplicationObservation observation = new ReplicationObservation();
        observation.setSource(source);
        observation.setPrimaryNode("pg-1");
        observation.setStreaming(true);
        observation.setState("streaming");
        observation.setSyncState("async");
        observation.setInRecovery(true);
        observation.setLagBytes(4_096L);
        String cluster;
        if (probeEvery > 0 && n % probeEvery == 0) {
            int slot = (int) (probeCount++ % probeClusters.length);
            int step = probeSteps[slot]++;
            cluster = clusters[probeClusters[slot]];
            long observedAt = eventTimeBase + step * STEP_MILLIS;
            observation.setObservedAt(Instant.ofEpochMilli(observedAt));
            observation.setReplicaNode(PROBE_REPLICA);
            observation.setLagSeconds(step % 4 < 2 ? PROBE_LAG_SECONDS : 0.0);
            if (step % 2 == 1) {
                latencies.expect(cluster, PROBE_REPLICA, observedAt, now);
            }
        } else {
            cluster = clusters[(int) (normal++ % clusters.length)];
            observation.setObservedAt(Instant.ofEpochMilli(now));
            observation.setReplicaNode(REPLICA);
            observation.setLagSeconds(HEALTHY_LAG_SECONDS);
        }
        observation.setComponent(cluster);
        observation.setCluster(cluster);
        producer.send(new ProducerRecord<>(Topics.REPLICATION_OBSERVATIONS.name(), null, now, cluster, observation), callback);
        return normal;
    }

    /** Stops sending and flushes what was sent; closing again does nothing. */
    @Override
    public void close() throws InterruptedException {
        if (!running) {
            return;
        }
        running = false;
        thread.join(30_000);
        producer.flush();
        if (error != null) {
            throw new IllegalStateException("the load generator failed: " + error, error);
        }
    }
}
