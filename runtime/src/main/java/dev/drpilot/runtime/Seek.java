package dev.drpilot.runtime;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;

import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** Start positions by time, for readers that must not start at the beginning of a topic that keeps months of records. */
public final class Seek {
    private Seek() {
    }

    /**
     * Seeks each partition to its first record at or after its timestamp (epoch ms), or to its end when it has none that recent.
     *
     * @return the offset each partition was sought to
     */
    public static Map<TopicPartition, Long> toTimes(Consumer<?, ?> consumer, Map<TopicPartition, Long> timestamps) {
        if (timestamps.isEmpty()) {
            return Map.of();
        }
        // End offsets first, sought to as numbers: a record written between the two look-ups then lies at or after the end
        // and is still read. The other order, or seekToEnd() (resolved only at the next poll), could skip it.
        Map<TopicPartition, Long> ends = consumer.endOffsets(timestamps.keySet());
        Map<TopicPartition, OffsetAndTimestamp> byTime = new HashMap<>(consumer.offsetsForTimes(timestamps));
        Map<TopicPartition, Long> sought = new LinkedHashMap<>();
        for (TopicPartition partition : timestamps.keySet()) {
            OffsetAndTimestamp found = byTime.get(partition);
            long start = found != null ? found.offset() : ends.get(partition);
            consumer.seek(partition, start);
            sought.put(partition, start);
        }
        return sought;
    }

    /**
     * Seeks each partition to its group's committed offset, or, where the group has none yet, to its first record at or
     * after {@code since}.
     *
     * @return the offsets sought by time (the partitions the group had no offset for)
     */
    public static Map<TopicPartition, Long> committedOrSince(Consumer<?, ?> consumer, Collection<TopicPartition> partitions, Instant since) {
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(Set.copyOf(partitions));
        Map<TopicPartition, Long> fresh = new LinkedHashMap<>();
        for (TopicPartition partition : partitions) {
            OffsetAndMetadata offset = committed.get(partition);
            if (offset != null) {
                consumer.seek(partition, offset);
            } else {
                fresh.put(partition, since.toEpochMilli());
            }
        }
        return toTimes(consumer, fresh);
    }
}
