package dev.drpilot.runtime;

import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One consumer on its own thread: takes its partitions (subscribes with a group, or assigns them itself), polls,
 * hands each record in offset order to a {@link RecordHandler}, commits as its {@link CommitPolicy} says, and
 * treats every failure the same way ({@link ErrorPolicy}): logged with the loop's name, retried with bounded
 * backoff ("retry n of m"), or fatal. A loop that died says so: {@link #alive()} turns false and
 * {@link #failure()} holds the error.
 *
 * <p>The consumer belongs to the loop's thread from {@link #start()} on, and is closed there. {@link #close()}
 * wakes a blocked poll and waits a bounded time for the thread to end; a handler running at that moment
 * finishes first (the loop hands no further record), so handlers stop themselves through {@link #closing()}
 * when they can take long.
 *
 * <p>In the keyed mode ({@link Builder#handlerPerKey}) the loop's thread only polls, dispatches and commits: each key's
 * records are handled on a thread of that key's own ({@link KeyedRecordHandler}), one at a time and in offset order, so
 * that one key waiting (a retry, a long handler) holds up no other key; a partition is committed only up to its first
 * record not finished, and a handler whose partition the group takes away is told to stop.
 */
public final class ConsumerLoop<K, V> implements Worker, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConsumerLoop.class);

    private final String name;
    private final Consumer<K, V> consumer;
    private final Partitions<K, V> partitions;
    private final RecordHandler<K, V> handler;
    private final ErrorPolicy errors;
    private final Settings settings;
    private final Thread thread;
    private final CountDownLatch closing = new CountDownLatch(1);
    private final PendingRecords<K, V> pending = new PendingRecords<>();
    // The keyed mode's lanes; null when records are handled in order on the loop's thread.
    private final KeyedLanes<K, V> lanes;
    private volatile Throwable failure;
    private volatile String trouble;
    // The record being handled, for the log line of a failure.
    private ConsumerRecord<K, V> current;
    private boolean started;
    private boolean consumerClosed;

    private ConsumerLoop(Builder<K, V> builder) {
        this.name = builder.name;
        this.consumer = builder.consumer;
        this.partitions = Objects.requireNonNull(builder.partitions, "subscribe(...) or assign(...)");
        if ((builder.handler == null) == (builder.keyedHandler == null)) {
            throw new IllegalArgumentException(builder.name + ": handler(...) or handlerPerKey(...), one of them");
        }
        this.handler = builder.handler;
        this.errors = builder.errors;
        this.settings = new Settings(builder.pollTimeout, builder.closeTimeout, builder.consumerCloseTimeout, builder.clock,
                builder.onStop, builder.whenDead);
        this.lanes = builder.keyedHandler == null ? null : new KeyedLanes<>(builder.name, builder.keyOf, builder.keyedHandler, builder.errors,
                builder.clock, builder.pollTimeout, builder.maxInFlightPerPartition, this::closing, builder.daemon);
        this.thread = new Thread(this::run, name);
        thread.setDaemon(builder.daemon);
    }

    /** @param name the thread's name, and how the log names the loop */
    public static <K, V> Builder<K, V> builder(String name, Consumer<K, V> consumer) {
        return new Builder<>(name, consumer);
    }

    public synchronized ConsumerLoop<K, V> start() {
        if (started) {
            throw new IllegalStateException(name + " was started already");
        }
        if (closing()) {
            throw new IllegalStateException(name + " was closed");
        }
        started = true;
        thread.start();
        return this;
    }

    @Override
    public String name() {
        return name;
    }

    /** True from {@link #start()} until the loop ends, whether closed or dead. */
    @Override
    public boolean alive() {
        return thread.isAlive() && failure().isEmpty();
    }

    /** The error that stopped the loop, if one did; empty while it runs and after a {@link #close()}. */
    @Override
    public Optional<Throwable> failure() {
        if (failure == null && lanes != null) {
            return lanes.failure();
        }
        return Optional.ofNullable(failure);
    }

    /** "retry n of m after ERROR" while a failure is being retried, until a round goes through. */
    @Override
    public Optional<String> trouble() {
        if (trouble == null && lanes != null) {
            return lanes.trouble();
        }
        return Optional.ofNullable(trouble);
    }

    /** True once {@link #close()} was called: a long handler stops at its next safe point. */
    public boolean closing() {
        return closing.getCount() == 0;
    }

    private void run() {
        boolean taken = false;
        int retry = 0;
        try {
            while (!closing()) {
                String doing = "taking its partitions";
                try {
                    if (lanes != null && lanes.failure().isPresent()) {
                        laneDied(lanes.failure().get());
                        return;
                    }
                    if (!taken) {
                        partitions.take(consumer, this::release);
                        taken = true;
                    }
                    doing = "polling";
                    if (round()) {
                        retry = 0;
                    }
                    trouble = null;
                } catch (Throwable e) {
                    if (closing()) {
                        stoppedWhileClosing(e);
                        return;
                    }
                    retry++;
                    if (!errors.retries(e, retry)) {
                        die(e, retry);
                        return;
                    }
                    retryAfter(e, retry, current == null ? doing : "handling " + describe(current));
                } finally {
                    current = null;
                }
            }
        } finally {
            if (lanes != null) {
                closeLanes();
            }
            stop();
        }
    }

    /** @return whether a record was done */
    private boolean round() throws Exception {
        if (consumer.assignment().isEmpty() && consumer.subscription().isEmpty()) {
            // Nothing to poll yet (an assignment whose topics do not exist yet): poll() would refuse.
            idle(settings.pollTimeout());
            partitions.afterRound(consumer);
            return false;
        }
        if (lanes != null) {
            return keyedRound();
        }
        Duration timeout = settings.pollTimeout();
        if (!pending.isEmpty()) {
            Duration untilDue = Duration.between(settings.clock().instant(), pending.dueAt());
            timeout = untilDue.isNegative() ? Duration.ZERO : untilDue.compareTo(timeout) > 0 ? timeout : untilDue;
        }
        pending.addAll(consumer.poll(timeout));
        boolean progress = false;
        while (!closing() && pending.headDue(settings.clock().instant())) {
            ConsumerRecord<K, V> head = pending.head();
            current = head;
            Outcome outcome = handler.handle(head, pending.attempt(settings.clock().instant()));
            if (!outcome.isDone()) {
                pending.retryHeadAt(outcome.retryAt());
                break;
            }
            if (partitions.commit() == CommitPolicy.AFTER_EACH_RECORD) {
                // Before the record leaves the queue: should the commit fail, the record is handled again (at least once).
                consumer.commitSync(Map.of(new TopicPartition(head.topic(), head.partition()), new OffsetAndMetadata(head.offset() + 1)));
            }
            pending.finishHead();
            progress = true;
        }
        current = null;
        // While a record waits, nothing behind it may overtake it; polling on (paused) keeps the group membership.
        if (pending.isEmpty()) {
            consumer.resume(consumer.paused());
        } else {
            consumer.pause(consumer.assignment());
        }
        partitions.afterRound(consumer);
        return progress;
    }

    /**
     * The keyed mode's round: the poll's records go to their keys' lanes; what the lanes finished is committed; a partition
     * with too many records not finished is paused until some finish (it keeps polling, so it stays in its group).
     *
     * @return whether an offset was committed
     */
    private boolean keyedRound() {
        lanes.dispatch(consumer.poll(settings.pollTimeout()));
        boolean progress = commitFinished(consumer.assignment());
        Set<TopicPartition> full = lanes.full();
        full.retainAll(consumer.assignment());
        Set<TopicPartition> resumable = new HashSet<>(consumer.paused());
        resumable.removeAll(full);
        consumer.pause(full);
        consumer.resume(resumable);
        partitions.afterRound(consumer);
        return progress;
    }

    /** Commits (under {@link CommitPolicy#AFTER_EACH_RECORD}) what the lanes finished of these partitions. */
    private boolean commitFinished(Collection<TopicPartition> of) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>(lanes.finished());
        offsets.keySet().retainAll(of);
        if (offsets.isEmpty() || partitions.commit() != CommitPolicy.AFTER_EACH_RECORD) {
            return false;
        }
        consumer.commitSync(offsets);
        lanes.committed(offsets);
        return true;
    }

    /** Partitions taken away: their records are someone else's; what the lanes finished of them is committed first, if still ours. */
    private void release(Collection<TopicPartition> taken, boolean lost) {
        pending.drop(taken);
        if (lanes == null) {
            return;
        }
        if (!lost) {
            try {
                commitFinished(taken);
            } catch (RuntimeException e) {
                log.warn("[loop={}] committing what was finished of {} before giving them up failed: {}", name, taken, e.toString());
            }
        }
        lanes.revoke(taken);
        if (!lost) {
            // A clean hand-over: the group waits (within its rebalance timeout) for our handlers of these partitions to stop
            // at their next safe point, so that the next owner does not start beside them.
            try {
                if (!lanes.awaitReleased(taken, settings.closeTimeout())) {
                    log.warn("[loop={}] a handler of {} was still busy after {} s; giving them up anyway", name, taken,
                            settings.closeTimeout().toSeconds());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Closing (or dying): the handlers under way stop at their next safe point; what they finished by then is committed. */
    private void closeLanes() {
        try {
            if (!lanes.close(settings.closeTimeout())) {
                log.warn("[loop={}] a handler was still busy after {} s", name, settings.closeTimeout().toSeconds());
            }
            if (failure().isEmpty() && !consumer.assignment().isEmpty()) {
                commitFinished(consumer.assignment());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.warn("[loop={}] committing what was finished while closing failed: {}", name, e.toString());
        }
    }

    private void laneDied(Throwable e) {
        failure = e;
        log.error("[loop={}] stopped by {}{}", name, e, settings.whenDead().isEmpty() ? "" : "; " + settings.whenDead());
    }

    private void retryAfter(Throwable e, int retry, String doing) {
        Duration wait = errors.backoff(retry);
        trouble = "retry " + retry + " of " + errors.limit() + " after " + doing + " failed: " + e;
        String message = "[loop={}] {} failed: {}; retry {} of {} in {} ms";
        if (retry == 1) {
            log.warn(message, name, doing, e.toString(), retry, errors.limit(), wait.toMillis(), e);
        } else {
            log.warn(message, name, doing, e.toString(), retry, errors.limit(), wait.toMillis());
        }
        pending.restartHead();
        idle(wait);
    }

    private void die(Throwable e, int retry) {
        failure = e;
        String why = errors.retriable(e) ? "gave up after " + (retry - 1) + " retries: " : "stopped by ";
        log.error("[loop={}] {}{}{}", name, why, e, settings.whenDead().isEmpty() ? "" : "; " + settings.whenDead(), e);
    }

    private void stoppedWhileClosing(Throwable e) {
        if (e instanceof WakeupException || e instanceof InterruptException || e instanceof InterruptedException) {
            return;
        }
        log.warn("[loop={}] failed while closing: {}", name, e.toString(), e);
    }

    private void idle(Duration wait) {
        try {
            closing.await(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closing.countDown();
        }
    }

    /** Closes the consumer, then what the owner asked for, each once, whoever gets here first. */
    private void stop() {
        synchronized (this) {
            if (consumerClosed) {
                return;
            }
            consumerClosed = true;
        }
        try {
            consumer.close(CloseOptions.timeout(settings.consumerCloseTimeout()));
        } catch (RuntimeException e) {
            log.warn("[loop={}] closing its consumer failed: {}", name, e.toString());
        }
        try {
            settings.onStop().run();
        } catch (RuntimeException e) {
            log.warn("[loop={}] stopping failed: {}", name, e.toString(), e);
        }
        log.debug("[loop={}] stopped", name);
    }

    private static String describe(ConsumerRecord<?, ?> record) {
        return KeyedLanes.describe(record);
    }

    /** Ends the loop after the record under way: wakes a blocked poll and waits for the thread, at most the close timeout. */
    @Override
    public void close() {
        closing.countDown();
        if (lanes != null) {
            lanes.wakeAll();
        }
        synchronized (this) {
            if (!started) {
                stop();
                return;
            }
        }
        consumer.wakeup();
        try {
            thread.join(settings.closeTimeout().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (thread.isAlive()) {
            throw new IllegalStateException(name + " did not stop within " + settings.closeTimeout().toSeconds() + " s");
        }
    }

    /** Records of partitions no longer ours are someone else's now; their owner starts from the committed offset. */
    private record Rebalance<K, V>(Consumer<K, V> consumer, Release release, OnAssigned<K, V> onAssigned)
            implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
            if (!revoked.isEmpty()) {
                release.partitions(revoked, false);
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> lost) {
            release.partitions(lost, true);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
            if (!assigned.isEmpty()) {
                onAssigned.position(consumer, assigned);
            }
        }
    }

    /** What the loop does when the group takes partitions away (revoked) or they were lost (another member may have them already). */
    @FunctionalInterface
    private interface Release {
        void partitions(Collection<TopicPartition> partitions, boolean lost);
    }

    /** Subscribed with a group, or assigned by the loop's owner. */
    private interface Partitions<K, V> {
        void take(Consumer<K, V> consumer, Release release);

        default void afterRound(Consumer<K, V> consumer) {
        }

        CommitPolicy commit();
    }

    private record Subscribed<K, V>(List<String> topics, OnAssigned<K, V> onAssigned, CommitPolicy commit) implements Partitions<K, V> {
        @Override
        public void take(Consumer<K, V> consumer, Release release) {
            consumer.subscribe(topics, new Rebalance<>(consumer, release, onAssigned));
        }
    }

    private record Assigned<K, V>(Assignment<K, V> assignment) implements Partitions<K, V> {
        @Override
        public void take(Consumer<K, V> consumer, Release release) {
            assignment.take(consumer);
        }

        @Override
        public void afterRound(Consumer<K, V> consumer) {
            assignment.afterRound(consumer);
        }

        @Override
        public CommitPolicy commit() {
            return CommitPolicy.NONE;
        }
    }

    private record Settings(Duration pollTimeout, Duration closeTimeout, Duration consumerCloseTimeout, Clock clock, Runnable onStop,
                            String whenDead) {
    }

    public static final class Builder<K, V> {
        private final String name;
        private final Consumer<K, V> consumer;
        private Partitions<K, V> partitions;
        private RecordHandler<K, V> handler;
        private KeyedRecordHandler<K, V> keyedHandler;
        private Function<ConsumerRecord<K, V>, String> keyOf;
        private int maxInFlightPerPartition = 100;
        private ErrorPolicy errors = ErrorPolicy.fatal();
        private Duration pollTimeout = Duration.ofMillis(500);
        private Duration closeTimeout = Duration.ofSeconds(30);
        private Duration consumerCloseTimeout = Duration.ofSeconds(30);
        private Clock clock = Clock.systemUTC();
        private Runnable onStop = () -> { };
        private String whenDead = "";
        private boolean daemon = true;

        private Builder(String name, Consumer<K, V> consumer) {
            this.name = Objects.requireNonNull(name, "name");
            this.consumer = Objects.requireNonNull(consumer, "consumer");
        }

        /** Joins the consumer's group on these topics; partitions start where Kafka says (committed, else auto.offset.reset). */
        public Builder<K, V> subscribe(Collection<String> topics, CommitPolicy commit) {
            return subscribe(topics, OnAssigned.kafkaDefault(), commit);
        }

        /** Joins the consumer's group on these topics; {@code onAssigned} positions each partition the group gives it. */
        public Builder<K, V> subscribe(Collection<String> topics, OnAssigned<K, V> onAssigned, CommitPolicy commit) {
            this.partitions = new Subscribed<>(List.copyOf(topics), Objects.requireNonNull(onAssigned), Objects.requireNonNull(commit));
            return this;
        }

        /** Takes partitions without a group, as {@code assignment} says; nothing is committed. */
        public Builder<K, V> assign(Assignment<K, V> assignment) {
            this.partitions = new Assigned<>(Objects.requireNonNull(assignment));
            return this;
        }

        /** Hands records one at a time, in poll order, on the loop's thread. */
        public Builder<K, V> handler(RecordHandler<K, V> handler) {
            this.handler = handler;
            return this;
        }

        /**
         * The keyed mode: each key's records are handled one at a time, in offset order, on a thread of that key's own,
         * while the loop keeps polling and other keys' records are handled; a partition's offset is committed only up to
         * its first record not finished yet. A record whose handler is retrying (an {@link Outcome#retryAt}, or an error the
         * {@link ErrorPolicy} retries) holds up its key only. An error the policy does not retry stops the whole loop.
         *
         * @param keyOf which lane a record goes to (records of one key are never handled at the same time)
         */
        public Builder<K, V> handlerPerKey(Function<ConsumerRecord<K, V>, String> keyOf, KeyedRecordHandler<K, V> handler) {
            this.keyOf = Objects.requireNonNull(keyOf, "keyOf");
            this.keyedHandler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /** In the keyed mode, how many records of one partition may be polled and not finished before it is paused (100). */
        public Builder<K, V> maxInFlightPerPartition(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxInFlightPerPartition must be at least 1, not " + max);
            }
            this.maxInFlightPerPartition = max;
            return this;
        }

        /** Fatal unless said otherwise. */
        public Builder<K, V> errors(ErrorPolicy errors) {
            this.errors = Objects.requireNonNull(errors);
            return this;
        }

        /** How long a poll waits for records when none is waiting for a retry. */
        public Builder<K, V> pollTimeout(Duration pollTimeout) {
            this.pollTimeout = Objects.requireNonNull(pollTimeout);
            return this;
        }

        /** How long {@link #close()} waits for the thread before it gives up with an exception. */
        public Builder<K, V> closeTimeout(Duration closeTimeout) {
            this.closeTimeout = Objects.requireNonNull(closeTimeout);
            return this;
        }

        /** How long closing the consumer may take (leaving the group, finishing requests in flight). */
        public Builder<K, V> consumerCloseTimeout(Duration consumerCloseTimeout) {
            this.consumerCloseTimeout = Objects.requireNonNull(consumerCloseTimeout);
            return this;
        }

        /** The clock of {@link Outcome#retryAt} and {@link Attempt#firstAt}. */
        public Builder<K, V> clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock);
            return this;
        }

        /** Runs on the loop's thread after its consumer was closed (or on the closing thread, when the loop never started). */
        public Builder<K, V> onStop(Runnable onStop) {
            this.onStop = Objects.requireNonNull(onStop);
            return this;
        }

        /** What no longer happens once the loop died, for its last log line ("firing-alert gauges are no longer updated"). */
        public Builder<K, V> whenDead(String consequence) {
            this.whenDead = Objects.requireNonNull(consequence);
            return this;
        }

        /** Whether the thread lets the JVM exit without it (true unless said otherwise). */
        public Builder<K, V> daemon(boolean daemon) {
            this.daemon = daemon;
            return this;
        }

        public ConsumerLoop<K, V> build() {
            return new ConsumerLoop<>(this);
        }
    }
}
