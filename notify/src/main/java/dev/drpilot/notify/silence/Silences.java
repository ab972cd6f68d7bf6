package dev.drpilot.notify.silence;

import dev.drpilot.config.Matchers;
import dev.drpilot.events.Silence;

import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The silences as the topic holds them: the newest version of each id (a tombstone removes it). Thread-safe: fed by one
 * reader, asked by every receiver's worker and the status page.
 */
public final class Silences {
    private final Map<String, Silence> byId = new ConcurrentHashMap<>();
    private volatile boolean caughtUp;

    /** @param silence the newest version of {@code id}, or null for a tombstone */
    public void accept(String id, Silence silence) {
        if (silence == null) {
            byId.remove(id);
        } else {
            byId.put(id, silence);
        }
    }

    /** Every silence on the topic, expired ones too, newest end first. */
    public List<Silence> all() {
        return byId.values().stream().sorted(Comparator.comparing(Silence::getEndsAt).reversed().thenComparing(Silence::getId)).toList();
    }

    /** The silences in force at {@code now}: started, not yet ended. */
    public List<Silence> active(Instant now) {
        return all().stream().filter(silence -> isActive(silence, now)).toList();
    }

    public static boolean isActive(Silence silence, Instant now) {
        return !silence.getStartsAt().isAfter(now) && silence.getEndsAt().isAfter(now);
    }

    /** The silence's matchers as the configuration's {@link Matchers}, so that one rule decides what matches. */
    public static Matchers matchers(Silence silence) {
        // Avro maps keep no order: the labels in Matchers.LABELS order, so that a silence always reads the same.
        Map<String, java.util.Set<String>> values = new LinkedHashMap<>();
        Matchers.LABELS.stream().filter(silence.getMatchers()::containsKey)
                .forEach(label -> values.put(label, new LinkedHashSet<>(silence.getMatchers().get(label))));
        silence.getMatchers().forEach((label, allowed) -> values.putIfAbsent(label, new LinkedHashSet<>(allowed)));
        return new Matchers(values);
    }

    /** True once the whole topic as of start-up has been read: before, "no silence" may only mean "not read yet". */
    public boolean caughtUp() {
        return caughtUp;
    }

    void markCaughtUp() {
        caughtUp = true;
    }
}
