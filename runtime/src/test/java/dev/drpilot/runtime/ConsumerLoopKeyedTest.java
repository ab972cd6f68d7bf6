package dev.drpilot.runtime;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The keyed mode of {@link ConsumerLoop}: records of different keys are handled side by side, each key's one at a time
 * and in order; the loop keeps polling, and commits each partition only up to its first record not finished.
 */
class ConsumerLoopKeyedTest {
    private static final String TOPIC = "commands";
    private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
    private static final TopicPartition P1 = new TopicPartition(TOPIC, 1);
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final List<Map<TopicPartition, OffsetAndMetadata>> commits = new CopyOnWriteArrayList<>();
    private final MockConsumer<String, String> consumer = new MockConsumer<>("earliest") {
        @Override
        public synchronized void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
            super.commitSync(offsets);
            commits.add(Map.copyOf(offsets));
        }
    };
    private final List<String> handled = new CopyOnWriteArrayList<>();
    private final Map<String, CountDownLatch> blocked = new ConcurrentHashMap<>();
    private final List<ConsumerLoop<String, String>> loops = new ArrayList<>();

    @AfterEach
    void closeLoops() {
        blocked.values().forEach(CountDownLatch::countDown);
        loops.forEach(ConsumerLoop::close);
    }

    @Test
    void aKeyWaitingDoesNotHoldUpOtherKeysAndTheCommitStopsAtTheFirstRecordNotFinished() {
        block("a1");
        started(keyed("test-keyed", (record, attempt, stopping) -> {
            handle(record);
            return Outcome.done();
        }));
        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(P0));
            add(P0, 0, "a1", "b1", "a2", "b2");
        });

        await().atMost(WAIT).until(() -> handled.containsAll(List.of("a1", "b1", "b2")));
        assertThat(handled).as("a2 waits behind a1, of its own key").containsExactlyInAnyOrder("a1", "b1", "b2");
        assertThat(committed(P0)).as("nothing past a1, which is not finished").isEqualTo(-1L);

        blocked.get("a1").countDown();
        await().atMost(WAIT).until(() -> committed(P0) == 4L);
        assertThat(handled).containsSubsequence("a1", "a2");
    }

    @Test
    void oneKeysRecordsAreHandledOneAtATimeInOffsetOrder() {
        AtomicInteger busy = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        started(keyed("test-one-key", (record, attempt, stopping) -> {
            mostAtOnce.accumulateAndGet(busy.incrementAndGet(), Math::max);
            handle(record);
            busy.decrementAndGet();
            return Outcome.done();
        }));
        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(P0));
            add(P0, 0, "a1", "a2", "a3", "a4");
        });

        await().atMost(WAIT).until(() -> committed(P0) == 4L);
        assertThat(handled).containsExactly("a1", "a2", "a3", "a4");
        assertThat(mostAtOnce).hasValue(1);
    }

    @Test
    void aRecordToBeRetriedLaterHoldsUpItsKeyOnlyAndStaysUncommitted() {
        MutableClock clock = new MutableClock();
        Instant start = clock.instant();
        List<Attempt> attempts = new CopyOnWriteArrayList<>();
        started(keyed("test-keyed-retry", (record, attempt, stopping) -> {
            if (record.value().equals("a1")) {
                attempts.add(attempt);
                if (attempt.number() == 1) {
                    return Outcome.retryAt(clock.instant().plusSeconds(60));
                }
            }
            handle(record);
            return Outcome.done();
        }).clock(clock).pollTimeout(Duration.ofMillis(20)));
        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(P0));
            add(P0, 0, "a1", "b1");
        });

        await().atMost(WAIT).until(() -> handled.equals(List.of("b1")));
        assertThat(committed(P0)).isEqualTo(-1L);
        assertThat(consumer.paused()).as("the loop keeps polling").isEmpty();

        clock.set(start.plusSeconds(60));
        await().atMost(WAIT).until(() -> committed(P0) == 2L);
        assertThat(attempts).containsExactly(new Attempt(1, start), new Attempt(2, start));
    }

    @Test
    void aHandlerWhosePartitionIsTakenAwayIsToldToStopTheRebalanceWaitsForItAndNothingOfThePartitionIsCommitted() {
        CountDownLatch stoppingSeen = new CountDownLatch(1);
        AtomicBoolean entered = new AtomicBoolean();
        List<Boolean> stoppedBeforeTheNextAssignment = new CopyOnWriteArrayList<>();
        started(keyed("test-keyed-revoked", (record, attempt, stopping) -> {
            if (record.value().equals("b1")) {
                stoppedBeforeTheNextAssignment.add(stoppingSeen.getCount() == 0);
            }
            handle(record);
            if (record.value().equals("a1")) {
                entered.set(true);
                await().atMost(WAIT).until(stopping::getAsBoolean);
                stoppingSeen.countDown();
                return Outcome.notDone();
            }
            return Outcome.done();
        }));
        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(P0));
            add(P0, 0, "a1", "a2");
        });
        await().atMost(WAIT).until(entered::get);

        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(P1));
            add(P1, 0, "b1");
        });
        await().atMost(WAIT).until(() -> stoppingSeen.getCount() == 0 && committed(P1) == 1L);
        assertThat(handled).as("a2, queued behind a1, is the new owner's").containsExactly("a1", "b1");
        assertThat(committed(P0)).isEqualTo(-1L);
        assertThat(stoppedBeforeTheNextAssignment).as("the revocation waited for a1's handler to stop").containsExactly(true);
    }

    @Test
    void aFailureALaneRetriesShowsAsTroubleAndAFailureItCannotRetryStopsTheLoopVisibly() {
        AtomicInteger calls = new AtomicInteger();
        IllegalStateException broken = new IllegalStateException("audit topic unreachable");
        NullPointerException bug = new NullPointerException("bug");
        CountDownLatch stayBroken = new CountDownLatch(1);
        ConsumerLoop<String, String> loop = started(keyed("test-keyed-failing", (record, attempt, stopping) -> {
            if (record.value().equals("b1")) {
                throw bug;
            }
            calls.incrementAndGet();
            if (stayBroken.getCount() > 0) {
                throw broken;
            }
            return Outcome.done();
        }).errors(ErrorPolicy.retry(ErrorPolicy.UNLIMITED, Backoff.constant(Duration.ofMillis(10)), error -> error instanceof IllegalStateException)));
        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(P0));
            add(P0, 0, "a1");
        });

        await().atMost(WAIT).until(() -> loop.trouble().isPresent() && calls.get() >= 2);
        assertThat(loop.trouble().orElseThrow()).contains("retry").contains("audit topic unreachable");
        assertThat(loop.alive()).as("retrying is alive").isTrue();
        stayBroken.countDown();
        await().atMost(WAIT).until(() -> committed(P0) == 1L && loop.trouble().isEmpty());

        consumer.schedulePollTask(() -> add(P0, 1, "b1"));
        await().atMost(WAIT).until(() -> !loop.alive());
        assertThat(loop.failure()).containsSame(bug);
        await().atMost(WAIT).until(consumer::closed);
    }

    @Test
    void aPartitionWithTooManyRecordsNotFinishedIsPausedUntilSomeFinish() {
        block("a1");
        started(keyed("test-keyed-full", (record, attempt, stopping) -> {
            handle(record);
            return Outcome.done();
        }).maxInFlightPerPartition(2));
        consumer.updateBeginningOffsets(Map.of(P1, 0L));
        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(P0, P1));
            add(P0, 0, "a1", "a2");
        });

        await().atMost(WAIT).until(() -> consumer.paused().equals(Set.of(P0)));
        blocked.get("a1").countDown();
        await().atMost(WAIT).until(() -> consumer.paused().isEmpty() && committed(P0) == 2L);
    }

    @Test
    void closingTellsTheHandlersToStopAndWaitsForThem() {
        AtomicBoolean stoppedCleanly = new AtomicBoolean();
        AtomicBoolean entered = new AtomicBoolean();
        ConsumerLoop<String, String> loop = started(keyed("test-keyed-close", (record, attempt, stopping) -> {
            entered.set(true);
            await().atMost(WAIT).until(stopping::getAsBoolean);
            stoppedCleanly.set(true);
            return Outcome.notDone();
        }));
        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(P0));
            add(P0, 0, "a1");
        });
        await().atMost(WAIT).until(entered::get);

        loop.close();
        assertThat(stoppedCleanly).as("the handler stopped before close() returned").isTrue();
        assertThat(loop.alive()).isFalse();
        assertThat(loop.failure()).isEmpty();
        assertThat(committed(P0)).isEqualTo(-1L);
    }

    private ConsumerLoop.Builder<String, String> keyed(String name, KeyedRecordHandler<String, String> handler) {
        return ConsumerLoop.builder(name, consumer)
                .subscribe(List.of(TOPIC), CommitPolicy.AFTER_EACH_RECORD)
                .pollTimeout(Duration.ofMillis(50))
                .handlerPerKey(record -> record.value().substring(0, 1), handler);
    }

    private void handle(ConsumerRecord<String, String> record) {
        handled.add(record.value());
        CountDownLatch latch = blocked.get(record.value());
        if (latch != null) {
            await().atMost(WAIT).until(() -> latch.getCount() == 0);
        }
    }

    private void block(String value) {
        blocked.put(value, new CountDownLatch(1));
    }

    private ConsumerLoop<String, String> started(ConsumerLoop.Builder<String, String> builder) {
        ConsumerLoop<String, String> loop = builder.build();
        loops.add(loop);
        return loop.start();
    }

    private void add(TopicPartition partition, long firstOffset, String... values) {
        consumer.updateBeginningOffsets(Map.of(partition, 0L));
        for (int i = 0; i < values.length; i++) {
            consumer.addRecord(new ConsumerRecord<>(partition.topic(), partition.partition(), firstOffset + i, "k", values[i]));
        }
    }

    private long committed(TopicPartition partition) {
        return commits.stream().filter(offsets -> offsets.containsKey(partition)).reduce((first, second) -> second)
                .map(offsets -> offsets.get(partition).offset()).orElse(-1L);
    }
}
