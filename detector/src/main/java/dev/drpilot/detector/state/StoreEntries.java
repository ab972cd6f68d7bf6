package dev.drpilot.detector.state;

import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.util.ArrayList;
import java.util.List;

/** A store's entries as a list: a punctuator that writes back while it walks must not hold an open iterator over the store. */
public final class StoreEntries {
    private StoreEntries() {
    }

    public static <K, V> List<KeyValue<K, V>> all(KeyValueStore<K, V> store) {
        List<KeyValue<K, V>> entries = new ArrayList<>();
        try (KeyValueIterator<K, V> iterator = store.all()) {
            iterator.forEachRemaining(entries::add);
        }
        return entries;
    }
}
