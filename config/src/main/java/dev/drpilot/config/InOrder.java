package dev.drpilot.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Immutable copies that keep the order of the YAML file. {@code Map.copyOf} and {@code Set.copyOf}
 * iterate in an order that changes from one JVM to the next, so {@code drpilot config check} printed
 * runbooks, clusters and route matches in a different order on every run.
 */
final class InOrder {
    private InOrder() {
    }

    static <K, V> Map<K, V> copyOf(Map<K, V> map) {
        map.forEach((key, value) -> {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, () -> "value of " + key);
        });
        return Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }

    static <T> Set<T> copyOf(Set<T> set) {
        set.forEach(item -> Objects.requireNonNull(item, "item"));
        return Collections.unmodifiableSet(new LinkedHashSet<>(set));
    }
}
