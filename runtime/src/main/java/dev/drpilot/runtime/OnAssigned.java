package dev.drpilot.runtime;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

import java.util.Collection;

/** Where the partitions a group gives a subscribed loop start, when Kafka's own choice (committed, else auto.offset.reset) will not do. */
@FunctionalInterface
public interface OnAssigned<K, V> {

    static <K, V> OnAssigned<K, V> kafkaDefault() {
        return (consumer, partitions) -> { };
    }

    void position(Consumer<K, V> consumer, Collection<TopicPartition> assigned);
}
