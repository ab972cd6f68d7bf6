package dev.drpilot.runtime;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class ConsumerLoopTest {
    private static final String TOPIC = "things";
    private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
    private static final TopicPartition P1 = new TopicPartition(TOPIC, 1);
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final List<Map<TopicPartition, OffsetAndMetadata>> commits = new CopyOnWriteArrayList<>();
    // Remembers its commits: a MockConsumer answers nothing once the loop closed it.
    private final MockConsumer<String, String> consumer = new MockConsumer<>("earliest") {
        @Override
        public synchronized void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
            super.commitSync(offsets);
            commits.add(Map.copyOf(offsets));
        }
    };
    private final List<String> handled = new CopyOnWriteArrayList<>();
    private final List<ConsumerLoop<String, String>> loops = new ArrayList<>();

    @AfterEach
    void closeLoops() {
        loops.forEach(ConsumerLoop::close);
    }

    @Test
    void anAssignedLoopHandsEveryRecordInOrderAndCommitsNothing() {
        AtomicReference<String> closedOn = new AtomicReference<>();
        ConsumerLoop<String, String> loop = started(ConsumerLoop.builder("test-assigned", consumer)
                .assign(fromBeginning(P0))
                .handler(RecordHandler.each(record -> handled.add(record.value())))
                .onStop(() -> closedOn.set(Thread.currentThread().getName())));
        consumer.schedulePollTask(() -> add(P0, 0, "a", "b", "c"));

        await().atMost(WAIT).until(() -> handled.size() == 3);
        assertThat(handled).containsExactly("a", "b", "c");
        assertThat(loop.alive()).isTrue();

        loop.close();
        assertThat(loop.alive()).isFalse();
        assertThat(loop.failure()).isEmpty();
        assertThat(consumer.closed()).isTrue();
        assertThat(closedOn.get()).as("the consumer is closed on the loop's own thread").isEqualTo("test-assigned");
        assertThat(commits).isEmpty();
    }

    @Test
    void aSubscribedLoopCommitsEachRecordAfterItsHandlerIsDone() {
        List<Long> committedWhileHandling = new CopyOnWriteArrayList<>();
        started(ConsumerLoop.builder("test-subscribed", consumer)
                .subscribe(List.of(TOPIC), CommitPolicy.AFTER_EACH_RECORD)
                .handler((record, attempt) -> {
                    committedWhileHandling.add(committed(P0));
                    handled.add(record.value());
                    return Outcome.done();
                }));
        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(P0));
            add(P0, 0, "a", "b");
        });

        await().atMost(WAIT).until(() -> committed(P0) == 2L);
        assertThat(handled).containsExactly("a", "b");
        assertThat(committedWhileHandling).as("a record's offset is committed only after its handler").containsExactly(-1L, 1L);
    }

    @Test
    void aSubscribedLoopLetsTheGroupAssignmentBePositioned() {
        started(ConsumerLoop.builder("test-positioned", consumer)
                .subscribe(List.of(TOPIC), (c, partitions) -> partitions.forEach(partition -> c.seek(partition, 2)), CommitPolicy.NONE)
                .handler(RecordHandler.each(record -> handled.add(record.value()))));
        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(P0));
            add(P0, 0, "a", "b", "c", "d");
        });

        await().atMost(WAIT).until(() -> handled.size() == 2);
        assertThat(handled).containsExactly("c", "d");
        assertThat(committed(P0)).as("CommitPolicy.NONE").isEqualTo(-1L);
    }

    @Test
    void aRecordThatIsNotDoneWaitsPausedAndUncommittedUntilItsRetryIsDue() {
        MutableClock clock = new MutableClock();
        List<Attempt> attempts = new CopyOnWriteArrayList<>();
        ConsumerLoop<String, String> loop = started(ConsumerLoop.builder("test-retry-at", consumer)
                .subscribe(List.of(TOPIC), CommitPolicy.AFTER_EACH_RECORD)
                .clock(clock)
                .handler((record, attempt) -> {
                    if (record.value().equals("a")) {
                        attempts.add(attempt);
                        if (attempt.number() < 2) {
                            return Outcome.retryAt(clock.instant().plusSeconds(60));
                        }
                    }
                    handled.add(record.value());
                    return Outcome.done();
                }));
        Instant start = clock.instant();
        consumer.updateBeginningOffsets(Map.of(P1, 0L));
        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(P0, P1));
            add(P0, 0, "a", "b");
        });

        await().atMost(WAIT).until(() -> consumer.paused().equals(Set.of(P0, P1)));
        assertThat(handled).as("nothing overtakes the waiting record").isEmpty();
        assertThat(committed(P0)).isEqualTo(-1L);
        assertThat(loop.alive()).isTrue();

        clock.set(start.plusSeconds(60));
        await().atMost(WAIT).until(() -> handled.size() == 2);
        assertThat(handled).containsExactly("a", "b");
        assertThat(attempts).containsExactly(new Attempt(1, start), new Attempt(2, start));
        await().atMost(WAIT).until(() -> consumer.paused().isEmpty() && committed(P0) == 2L);
    }

    @Test
    void recordsOfARevokedPartitionAreDroppedAndTheHeadStartsAgain() {
        MutableClock clock = new MutableClock();
        List<Attempt> attempts = new CopyOnWriteArrayList<>();
        started(ConsumerLoop.builder("test-revoked", consumer)
                .subscribe(List.of(TOPIC), CommitPolicy.AFTER_EACH_RECORD)
                .clock(clock)
                .handler((record, attempt) -> {
                    attempts.add(attempt);
                    handled.add(record.value());
                    return attempt.number() == 1 ? Outcome.retryAt(Instant.MAX) : Outcome.done();
                }));
        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(P0));
            add(P0, 0, "a");
        });
        await().atMost(WAIT).until(() -> handled.equals(List.of("a")));

        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(P1));
            add(P1, 0, "b");
        });
        await().atMost(WAIT).until(() -> handled.equals(List.of("a", "b")));
        assertThat(attempts).extracting(Attempt::number).as("b is not held up behind a, which is someone else's now").containsExactly(1, 1);
    }

    @Test
    void aFailingHandlerIsRetriedWithBackoffThenTheLoopDiesVisibly() {
        AtomicInteger calls = new AtomicInteger();
        List<Attempt> attempts = new CopyOnWriteArrayList<>();
        IllegalStateException broken = new IllegalStateException("receiver unreachable");
        ConsumerLoop<String, String> loop = started(ConsumerLoop.builder("test-failing", consumer)
                .subscribe(List.of(TOPIC), CommitPolicy.AFTER_EACH_RECORD)
                .errors(ErrorPolicy.retry(2, Backoff.constant(Duration.ofMillis(10)), error -> error instanceof IllegalStateException))
                .handler((record, attempt) -> {
                    attempts.add(attempt);
                    calls.incrementAndGet();
                    throw broken;
                }));
        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(P0));
            add(P0, 0, "a");
        });

        await().atMost(WAIT).until(() -> !loop.alive());
        assertThat(calls).as("the first try and 2 retries").hasValue(3);
        assertThat(attempts).extracting(Attempt::number).as("a retried round hands the record as new").containsExactly(1, 1, 1);
        assertThat(loop.failure()).containsSame(broken);
        assertThat(committed(P0)).isEqualTo(-1L);
        await().atMost(WAIT).until(consumer::closed);
    }

    @Test
    void aRetriedHandlerThatRecoversGoesOn() {
        AtomicInteger calls = new AtomicInteger();
        ConsumerLoop<String, String> loop = started(ConsumerLoop.builder("test-recovering", consumer)
                .subscribe(List.of(TOPIC), CommitPolicy.AFTER_EACH_RECORD)
                .errors(ErrorPolicy.retry(ErrorPolicy.UNLIMITED, Backoff.constant(Duration.ofMillis(10)), error -> true))
                .handler((record, attempt) -> {
                    if (calls.incrementAndGet() < 4) {
                        throw new Exception("audit topic unreachable");
                    }
                    handled.add(record.value());
                    return Outcome.done();
                }));
        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(P0));
            add(P0, 0, "a", "b");
        });

        await().atMost(WAIT).until(() -> handled.size() == 2);
        assertThat(handled).containsExactly("a", "b");
        await().atMost(WAIT).until(() -> committed(P0) == 2L);
        assertThat(loop.alive()).isTrue();
        assertThat(loop.failure()).isEmpty();
        await("the trouble cleared once a round went through").atMost(WAIT).until(() -> loop.trouble().isEmpty());
    }

    @Test
    void anErrorTheRetryPolicyDoesNotNameIsFatalAtOnce() {
        AtomicInteger calls = new AtomicInteger();
        RuntimeException bug = new NullPointerException("bug");
        ConsumerLoop<String, String> loop = started(ConsumerLoop.builder("test-fatal", consumer)
                .assign(fromBeginning(P0))
                .errors(ErrorPolicy.retry(5, Backoff.constant(Duration.ofMillis(10)), error -> error instanceof IllegalStateException))
                .whenDead("things are no longer counted")
                .handler((record, attempt) -> {
                    calls.incrementAndGet();
                    throw bug;
                }));
        consumer.schedulePollTask(() -> add(P0, 0, "a"));

        await().atMost(WAIT).until(() -> loop.failure().isPresent());
        assertThat(loop.failure()).containsSame(bug);
        assertThat(calls).hasValue(1);
        await().atMost(WAIT).until(() -> !loop.alive() && consumer.closed());
    }

    @Test
    void aFailingPollFallsUnderTheSamePolicy() {
        ConsumerLoop<String, String> loop = started(ConsumerLoop.builder("test-poll-fails", consumer)
                .assign(fromBeginning(P0))
                .handler(RecordHandler.each(record -> handled.add(record.value()))));
        consumer.setPollException(new KafkaException("broker gone"));

        await().atMost(WAIT).until(() -> loop.failure().isPresent());
        assertThat(loop.failure().orElseThrow()).hasMessage("broker gone");
        assertThat(loop.alive()).isFalse();
    }

    @Test
    void closeWakesThePollAndEndsTheLoopWithoutAFailure() {
        ConsumerLoop<String, String> loop = started(ConsumerLoop.builder("test-idle", consumer)
                .subscribe(List.of(TOPIC), CommitPolicy.AFTER_EACH_RECORD)
                .handler(RecordHandler.each(record -> handled.add(record.value()))));
        await().atMost(WAIT).until(() -> consumer.lastPollTimeout() != null);

        loop.close();
        assertThat(loop.closing()).isTrue();
        assertThat(loop.alive()).isFalse();
        assertThat(loop.failure()).isEmpty();
        assertThat(consumer.closed()).isTrue();
        loop.close();   // again: nothing left to do
    }

    @Test
    void closeWhileAHandlerIsBlockedWaitsBoundedlyAndHandsNoFurtherRecord() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ConsumerLoop<String, String> loop = started(ConsumerLoop.builder("test-blocked", consumer)
                .assign(fromBeginning(P0))
                .closeTimeout(Duration.ofMillis(200))
                .handler(RecordHandler.each(record -> {
                    handled.add(record.value());
                    entered.countDown();
                    awaitQuietly(release);
                })));
        consumer.schedulePollTask(() -> add(P0, 0, "a", "b"));
        assertThat(entered.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

        assertThatThrownBy(loop::close).isInstanceOf(IllegalStateException.class).hasMessageContaining("test-blocked did not stop within");
        assertThat(loop.closing()).isTrue();
        assertThat(consumer.closed()).as("not closed under the running handler").isFalse();

        release.countDown();
        await().atMost(WAIT).until(() -> !loop.alive() && consumer.closed());
        assertThat(handled).as("the loop hands nothing once closing").containsExactly("a");
        assertThat(loop.failure()).isEmpty();
    }

    @Test
    void aLoopClosedBeforeItStartedClosesItsConsumerAndRunsOnStop() {
        AtomicInteger stops = new AtomicInteger();
        ConsumerLoop<String, String> loop = ConsumerLoop.builder("test-never-started", consumer)
                .assign(fromBeginning(P0))
                .handler(RecordHandler.each(record -> handled.add(record.value())))
                .onStop(stops::incrementAndGet)
                .build();

        loop.close();
        loop.close();
        assertThat(consumer.closed()).isTrue();
        assertThat(stops).hasValue(1);
        assertThat(loop.alive()).isFalse();
        assertThatThrownBy(loop::start).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void anAssignmentMayTakeItsPartitionsLaterAndHearsOfEveryRound() {
        AtomicInteger rounds = new AtomicInteger();
        started(ConsumerLoop.builder("test-later", consumer)
                .pollTimeout(Duration.ofMillis(10))
                .assign(new Assignment<>() {
                    @Override
                    public void take(Consumer<String, String> c) {
                    }

                    @Override
                    public void afterRound(Consumer<String, String> c) {
                        if (rounds.incrementAndGet() == 3) {
                            c.assign(List.of(P0));
                            c.seek(P0, 0);
                        }
                    }
                })
                .handler(RecordHandler.each(record -> handled.add(record.value()))));
        await().atMost(WAIT).until(() -> rounds.get() >= 3);
        consumer.schedulePollTask(() -> add(P0, 0, "a"));

        await().atMost(WAIT).until(() -> handled.equals(List.of("a")));
    }

    private ConsumerLoop<String, String> started(ConsumerLoop.Builder<String, String> builder) {
        ConsumerLoop<String, String> loop = builder.build();
        loops.add(loop);
        return loop.start();
    }

    private Assignment<String, String> fromBeginning(TopicPartition partition) {
        consumer.updateBeginningOffsets(Map.of(partition, 0L));
        return c -> {
            c.assign(List.of(partition));
            c.seekToBeginning(List.of(partition));
        };
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

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
