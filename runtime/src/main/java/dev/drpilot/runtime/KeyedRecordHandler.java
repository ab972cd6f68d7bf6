package dev.drpilot.runtime;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.util.function.BooleanSupplier;

/**
 * What a {@link ConsumerLoop} in keyed mode does with each record: called on the thread of the record's key (its lane),
 * for one record of that key at a time, in offset order; records of other keys are handled meanwhile on their own lanes.
 */
@FunctionalInterface
public interface KeyedRecordHandler<K, V> {

    /**
     * @param stopping true once the loop is closing or the record's partition was taken away: a long handler stops at its
     *                 next safe point and says {@link Outcome#notDone()} (not committed; the partition's next owner hands the
     *                 record again). While not stopping, {@code notDone()} hands the record again at once.
     * @throws Exception left to the loop's {@link ErrorPolicy}: the record is handed again after a backoff, or the loop stops
     */
    Outcome handle(ConsumerRecord<K, V> record, Attempt attempt, BooleanSupplier stopping) throws Exception;
}
