package dev.drpilot.runtime;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.util.function.Consumer;

/** What a {@link ConsumerLoop} does with each record, in offset order, on the loop's thread. */
@FunctionalInterface
public interface RecordHandler<K, V> {

    /**
     * @throws Exception left to the loop's {@link ErrorPolicy}: retried with backoff, or the loop stops
     */
    Outcome handle(ConsumerRecord<K, V> record, Attempt attempt) throws Exception;

    /** A handler that is done with every record once {@code action} returned. */
    static <K, V> RecordHandler<K, V> each(Consumer<ConsumerRecord<K, V>> action) {
        return (record, attempt) -> {
            action.accept(record);
            return Outcome.done();
        };
    }
}
