package dev.drpilot.runtime;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * The keyed mode of a {@link ConsumerLoop}: every key has its own lane (a thread, made when a record of the key
 * arrives and ended when the key has nothing left), which hands the key's records to the handler one at a time, in
 * offset order, while other keys' records are handled on their lanes. The loop's thread keeps polling and commits, per
 * partition, only up to the first record not finished yet, so that whatever was not finished is handed again to the
 * partition's next owner. Thread-safe: the loop's thread dispatches, commits and revokes; the lanes finish records.
 */
final class KeyedLanes<K, V> {
    private static final Logger log = LoggerFactory.getLogger(KeyedLanes.class);

    private final String name;
    private final Function<ConsumerRecord<K, V>, String> keyOf;
    private final KeyedRecordHandler<K, V> handler;
    private final ErrorPolicy errors;
    private final Clock clock;
    // The longest a lane waits for a due time before it looks at the clock again (the clock may be a test's).
    private final Duration tick;
    private final int maxInFlight;
    private final BooleanSupplier closing;
    private final ExecutorService threads;
    private final Object lock = new Object();
    private final Map<String, Lane> lanes = new HashMap<>();
    private final Map<TopicPartition, Deque<Entry<K, V>>> inFlight = new HashMap<>();
    private final Map<TopicPartition, Long> finishedUpTo = new HashMap<>();
    private final Map<String, String> troubles = new ConcurrentHashMap<>();
    // The records a handler is busy with, one per lane at most.
    private final Set<Entry<K, V>> busy = new HashSet<>();
    private volatile Throwable failure;

    KeyedLanes(String name, Function<ConsumerRecord<K, V>, String> keyOf, KeyedRecordHandler<K, V> handler, ErrorPolicy errors, Clock clock,
               Duration tick, int maxInFlight, BooleanSupplier closing, boolean daemon) {
        this.name = name;
        this.keyOf = keyOf;
        this.handler = handler;
        this.errors = errors;
        this.clock = clock;
        this.tick = tick;
        this.maxInFlight = maxInFlight;
        this.closing = closing;
        this.threads = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, name + "-lane");
            thread.setDaemon(daemon);
            return thread;
        });
    }

    /** A record polled and not finished yet; {@code revoked} once its partition is no longer ours. */
    private static final class Entry<K, V> {
        final ConsumerRecord<K, V> record;
        final TopicPartition partition;
        volatile boolean revoked;
        boolean done;

        Entry(ConsumerRecord<K, V> record) {
            this.record = record;
            this.partition = new TopicPartition(record.topic(), record.partition());
        }
    }

    /** One key's records in poll order; {@code running} while a thread drains it. */
    private static final class Lane {
        final String key;
        final Deque<Entry<?, ?>> queue = new ArrayDeque<>();
        boolean running;

        Lane(String key) {
            this.key = key;
        }
    }

    /** Hands each record to its key's lane, making the lane (and its thread) when the key has none. */
    void dispatch(Iterable<ConsumerRecord<K, V>> records) {
        synchronized (lock) {
            for (ConsumerRecord<K, V> record : records) {
                Entry<K, V> entry = new Entry<>(record);
                inFlight.computeIfAbsent(entry.partition, partition -> new ArrayDeque<>()).add(entry);
                String key = keyOf.apply(record);
                Lane lane = lanes.computeIfAbsent(key == null ? "" : key, Lane::new);
                lane.queue.add(entry);
                if (!lane.running) {
                    lane.running = true;
                    threads.execute(() -> drain(lane));
                }
            }
        }
    }

    /** Per partition, the offset to commit: past the records finished without a gap from the last commit on. */
    Map<TopicPartition, OffsetAndMetadata> finished() {
        synchronized (lock) {
            for (Map.Entry<TopicPartition, Deque<Entry<K, V>>> partition : inFlight.entrySet()) {
                Deque<Entry<K, V>> entries = partition.getValue();
                while (!entries.isEmpty() && entries.peek().done) {
                    finishedUpTo.put(partition.getKey(), entries.poll().record.offset() + 1);
                }
            }
            Map<TopicPartition, OffsetAndMetadata> offsets = new LinkedHashMap<>();
            finishedUpTo.forEach((partition, offset) -> offsets.put(partition, new OffsetAndMetadata(offset)));
            return offsets;
        }
    }

    /** The offsets were committed: nothing to commit for those partitions until more records finish. */
    void committed(Map<TopicPartition, OffsetAndMetadata> offsets) {
        synchronized (lock) {
            offsets.forEach((partition, offset) -> finishedUpTo.remove(partition, offset.offset()));
        }
    }

    /** The partitions with {@code maxInFlight} or more records not finished: to be paused until some finish. */
    Set<TopicPartition> full() {
        synchronized (lock) {
            Set<TopicPartition> full = new HashSet<>();
            inFlight.forEach((partition, entries) -> {
                if (entries.size() >= maxInFlight) {
                    full.add(partition);
                }
            });
            return full;
        }
    }

    /**
     * The partitions are someone else's now: their queued records are dropped, the handlers busy with one of them are told
     * to stop ({@code stopping}), and nothing of theirs is committed by us any more.
     */
    void revoke(Collection<TopicPartition> partitions) {
        synchronized (lock) {
            for (TopicPartition partition : partitions) {
                Deque<Entry<K, V>> entries = inFlight.remove(partition);
                if (entries != null) {
                    entries.forEach(entry -> entry.revoked = true);
                }
                finishedUpTo.remove(partition);
            }
            lanes.values().forEach(lane -> lane.queue.removeIf(entry -> entry.revoked));
            lock.notifyAll();
        }
    }

    /**
     * Waits until no handler is busy with a record of these (revoked) partitions, at most {@code timeout}: their next owner
     * then starts after this one stopped, not beside it.
     *
     * @return false when one was still busy at the timeout
     */
    boolean awaitReleased(Collection<TopicPartition> partitions, Duration timeout) throws InterruptedException {
        long until = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (busy.stream().anyMatch(entry -> partitions.contains(entry.partition))) {
                long left = until - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                lock.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
            return true;
        }
    }

    /** Wakes every lane waiting for a retry: the loop is closing. */
    void wakeAll() {
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    /** The error a lane could not get past (not retriable, or retried as often as the error policy allows). */
    Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }

    /** "retry n of m after ..." of each lane retrying a failure, if any does. */
    Optional<String> trouble() {
        return troubles.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", troubles.values()));
    }

    /** Lets the handlers under way finish (they were told to stop), at most {@code timeout}; false if one is still busy. */
    boolean close(Duration timeout) throws InterruptedException {
        wakeAll();
        threads.shutdown();
        return threads.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void drain(Lane lane) {
        Thread thread = Thread.currentThread();
        String threadName = thread.getName();
        thread.setName(name + "[" + lane.key + "]");
        try {
            while (true) {
                Entry<K, V> entry;
                synchronized (lock) {
                    if (closing.getAsBoolean() || failure != null) {
                        lane.queue.clear();
                    }
                    @SuppressWarnings("unchecked")
                    Entry<K, V> next = (Entry<K, V>) lane.queue.poll();
                    if (next == null) {
                        lane.running = false;
                        lanes.remove(lane.key, lane);
                        return;
                    }
                    entry = next;
                    busy.add(entry);
                }
                try {
                    handle(lane.key, entry);
                } finally {
                    synchronized (lock) {
                        busy.remove(entry);
                        lock.notifyAll();
                    }
                }
            }
        } finally {
            thread.setName(threadName);
        }
    }

    /** Hands the record until its handler is done with it, retrying as the outcome and the error policy say, or until told to stop. */
    private void handle(String key, Entry<K, V> entry) {
        BooleanSupplier stopping = () -> entry.revoked || closing.getAsBoolean() || failure != null;
        int handed = 0;
        Instant firstAt = null;
        int retry = 0;
        while (!stopping.getAsBoolean()) {
            if (handed == 0) {
                firstAt = clock.instant();
            }
            handed++;
            Outcome outcome;
            try {
                outcome = handler.handle(entry.record, new Attempt(handed, firstAt), stopping);
                retry = 0;
                troubles.remove(key);
            } catch (Throwable e) {
                if (stopping.getAsBoolean()) {
                    log.debug("[loop={} key={}] {} failed while stopping: {}", name, key, describe(entry.record), e.toString());
                    return;
                }
                retry++;
                if (!errors.retries(e, retry)) {
                    die(key, entry, e, retry);
                    return;
                }
                Duration wait = errors.backoff(retry);
                String doing = "handling " + describe(entry.record);
                troubles.put(key, "retry " + retry + " of " + errors.limit() + " after " + doing + " failed: " + e);
                String message = "[loop={} key={}] {} failed: {}; retry {} of {} in {} ms";
                if (retry == 1) {
                    log.warn(message, name, key, doing, e.toString(), retry, errors.limit(), wait.toMillis(), e);
                } else {
                    log.warn(message, name, key, doing, e.toString(), retry, errors.limit(), wait.toMillis());
                }
                handed = 0;   // a retried failure hands the record again as new
                pause(stopping, System.nanoTime() + wait.toNanos());
                continue;
            }
            if (outcome.isDone()) {
                synchronized (lock) {
                    entry.done = !entry.revoked;
                }
                return;
            }
            waitUntil(stopping, outcome.retryAt());
        }
        troubles.remove(key);
    }

    private void die(String key, Entry<K, V> entry, Throwable e, int retry) {
        troubles.remove(key);
        failure = e;
        String why = errors.retriable(e) ? "gave up after " + (retry - 1) + " retries" : "stopped";
        log.error("[loop={} key={}] handling {} {}: {}", name, key, describe(entry.record), why, e.toString(), e);
        wakeAll();
    }

    /** Waits until the loop's clock reaches {@code due}, or until told to stop. */
    private void waitUntil(BooleanSupplier stopping, Instant due) {
        while (!stopping.getAsBoolean()) {
            Duration left = Duration.between(clock.instant(), due);
            if (left.isNegative() || left.isZero()) {
                return;
            }
            await(left.compareTo(tick) > 0 ? tick : left);
        }
    }

    /** Waits for a backoff, in real time, or until told to stop. */
    private void pause(BooleanSupplier stopping, long untilNanos) {
        while (!stopping.getAsBoolean()) {
            long left = untilNanos - System.nanoTime();
            if (left <= 0) {
                return;
            }
            await(Duration.ofNanos(left));
        }
    }

    private void await(Duration wait) {
        synchronized (lock) {
            try {
                lock.wait(Math.max(1, wait.toMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = failure == null ? e : failure;
            }
        }
    }

    static String describe(ConsumerRecord<?, ?> record) {
        // A key in bytes would say nothing readable.
        return record.topic() + "-" + record.partition() + "@" + record.offset() + (record.key() instanceof String key ? " (key " + key + ")" : "");
    }
}
