package dev.drpilot.failover;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads one topic, from where {@link Starts} says, up to the end offsets captured when the read began — everything
 * written before the read, nothing after — or fails: a read that cannot get there (Kafka unreachable, a partition
 * that does not move within the timeout) throws {@link ReadIncompleteException} and never returns a part. A decision
 * taken on part of the pauses or of the history could miss the record that forbids it.
 */
public final class TopicReader {
    private static final Duration POLL = Duration.ofMillis(200);

    private final Duration timeout;

    /** @param timeout the most one whole read may take, metadata look-ups included */
    public TopicReader(Duration timeout) {
        this.timeout = timeout;
    }

    /** Where each partition's read starts, given the end offsets captured at its beginning. */
    @FunctionalInterface
    public interface Starts {
        Map<TopicPartition, Long> of(Consumer<byte[], byte[]> consumer, List<TopicPartition> partitions, Map<TopicPartition, Long> ends);

        static Starts beginning() {
            return (consumer, partitions, ends) -> consumer.beginningOffsets(partitions);
        }
    }

    /** What the reader does with each record, in offset order per partition. */
    @FunctionalInterface
    public interface Sink {
        void accept(ConsumerRecord<byte[], byte[]> record) throws AuditLog.AuditException, ReadIncompleteException;
    }

    public void read(Consumer<byte[], byte[]> consumer, String topic, Starts starts, Sink sink) throws AuditLog.AuditException, ReadIncompleteException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
            if (partitions.isEmpty()) {
                throw new ReadIncompleteException(topic + " has no partitions (does the topic exist?)");
            }
            consumer.assign(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
            Map<TopicPartition, Long> from = starts.of(consumer, partitions, ends);
            for (TopicPartition partition : partitions) {
                consumer.seek(partition, Math.min(from.getOrDefault(partition, ends.get(partition)), ends.get(partition)));
            }
            while (!reached(consumer, partitions, ends)) {
                if (System.nanoTime() - deadline > 0) {
                    throw new ReadIncompleteException(topic + " not read to its end within " + timeout.toSeconds() + " s (at "
                            + positions(consumer, partitions) + ", end " + ends + ")");
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                    // Only what was there when the read began: a record written since is the next read's.
                    if (record.offset() < ends.get(new TopicPartition(record.topic(), record.partition()))) {
                        sink.accept(record);
                    }
                }
            }
        } catch (KafkaException e) {
            throw new ReadIncompleteException("could not read " + topic + ": " + e, e);
        }
    }

    private static boolean reached(Consumer<?, ?> consumer, List<TopicPartition> partitions, Map<TopicPartition, Long> ends) {
        return partitions.stream().allMatch(partition -> consumer.position(partition) >= ends.get(partition));
    }

    private static String positions(Consumer<?, ?> consumer, List<TopicPartition> partitions) {
        return partitions.stream().collect(Collectors.toMap(partition -> partition, consumer::position)).toString();
    }
}
