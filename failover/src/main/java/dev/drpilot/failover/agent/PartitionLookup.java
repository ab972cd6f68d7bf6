package dev.drpilot.failover.agent;

import dev.drpilot.runtime.Backoff;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.slf4j.Logger;

import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * A topic's partitions, looked up until it has some, for the actuator's tails of the agents' topics: an actuator may start
 * before the topics exist (the all-in-one's own broker, a first deployment), and a tail that gave up then would slow every
 * request or lease wait for good.
 */
final class PartitionLookup {
    private PartitionLookup() {
    }

    /** @return the partitions, or an empty list when {@code running} turned false while waiting */
    static List<TopicPartition> await(Consumer<?, ?> consumer, String topic, BooleanSupplier running, Logger log)
            throws InterruptedException {
        Backoff backoff = Backoff.exponential(Duration.ofMillis(200), Duration.ofSeconds(5));
        for (int attempt = 1; running.getAsBoolean(); attempt++) {
            try {
                List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                        .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
                if (!partitions.isEmpty()) {
                    return partitions;
                }
            } catch (TimeoutException e) {
                // the broker is not reachable yet: the same as no partitions
            }
            Duration pause = backoff.before(attempt);
            log.info("{} has no partitions yet; retry {}, unbounded, in {} ms", topic, attempt, pause.toMillis());
            Thread.sleep(pause.toMillis());   // a retry pause on the tail's own thread; closing interrupts it
        }
        return List.of();
    }
}
