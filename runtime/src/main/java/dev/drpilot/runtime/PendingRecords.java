package dev.drpilot.runtime;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;

/** The records a loop polled and has not finished, in poll order, and the retry state of the one at the head. */
final class PendingRecords<K, V> {
    private final Deque<ConsumerRecord<K, V>> records = new ArrayDeque<>();
    private int handed;
    private Instant firstHandedAt;
    private Instant dueAt = Instant.MIN;

    void addAll(Iterable<ConsumerRecord<K, V>> polled) {
        polled.forEach(records::add);
    }

    boolean isEmpty() {
        return records.isEmpty();
    }

    Instant dueAt() {
        return dueAt;
    }

    /** Whether the head may be handed now. */
    boolean headDue(Instant now) {
        return !records.isEmpty() && !now.isBefore(dueAt);
    }

    ConsumerRecord<K, V> head() {
        return records.peek();
    }

    /** Counts one more hand-over of the head. */
    Attempt attempt(Instant now) {
        if (handed == 0) {
            firstHandedAt = now;
        }
        handed++;
        return new Attempt(handed, firstHandedAt);
    }

    void retryHeadAt(Instant at) {
        dueAt = at;
    }

    void finishHead() {
        records.poll();
        restartHead();
    }

    /** The head is handed again as if for the first time, at once. */
    void restartHead() {
        handed = 0;
        firstHandedAt = null;
        dueAt = Instant.MIN;
    }

    /** Drops the records of partitions no longer ours: their new owner starts from the committed offset. */
    void drop(Collection<TopicPartition> partitions) {
        if (records.removeIf(record -> partitions.contains(new TopicPartition(record.topic(), record.partition())))) {
            restartHead();
        }
    }
}
