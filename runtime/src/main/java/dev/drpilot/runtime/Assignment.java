package dev.drpilot.runtime;

import org.apache.kafka.clients.consumer.Consumer;

/**
 * How a loop without a consumer group takes its partitions: it assigns them itself and says where each starts.
 * Runs on the loop's thread.
 */
@FunctionalInterface
public interface Assignment<K, V> {

    /** Before the first poll: assign, and seek where the reader needs to start. */
    void take(Consumer<K, V> consumer);

    /** After every round (also while nothing is assigned yet): to notice having caught up, or to add topics that appeared. */
    default void afterRound(Consumer<K, V> consumer) {
    }
}
