package dev.drpilot.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * One YAML mapping of the configuration, read key by key. Every read names the key's full path in
 * the problems it records, and {@link #finish()} reports the keys nobody asked for: unknown keys
 * are errors, because a typo silently ignored is a safety setting silently lost.
 */
final class Section {
    private final JsonNode node;
    private final String path;
    private final Problems problems;
    private final Function<String, String> env;
    private final Set<String> known = new LinkedHashSet<>();

    Section(JsonNode node, String path, Problems problems, Function<String, String> env) {
        this.node = node == null || node.isNull() ? MissingNode.getInstance() : node;
        this.path = path;
        this.problems = problems;
        this.env = env;
    }

    /** A section that is present but not a mapping is reported once and read as empty. */
    static Section of(JsonNode node, String path, Problems problems, Function<String, String> env) {
        if (node != null && !node.isNull() && !node.isMissingNode() && !node.isObject()) {
            problems.add(path, "expected a mapping of keys to values, found " + describe(node));
            return new Section(MissingNode.getInstance(), path, problems, env);
        }
        return new Section(node, path, problems, env);
    }

    String path() {
        return path;
    }

    String child(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    Problems problems() {
        return problems;
    }

    Function<String, String> env() {
        return env;
    }

    /** The keys asked for so far, in the order first asked. */
    Set<String> known() {
        return Collections.unmodifiableSet(known);
    }

    /** Every key of this mapping, each marked as asked for (for mappings whose keys are data, such as matchers). */
    List<String> keys() {
        List<String> keys = new ArrayList<>();
        node.fieldNames().forEachRemaining(keys::add);
        known.addAll(keys);
        return keys;
    }

    boolean has(String key) {
        known.add(key);
        JsonNode value = node.get(key);
        return value != null && !value.isNull();
    }

    private JsonNode raw(String key) {
        known.add(key);
        JsonNode value = node.get(key);
        return value == null || value.isNull() ? null : value;
    }

    Optional<String> optionalString(String key) {
        JsonNode value = raw(key);
        if (value == null) {
            return Optional.empty();
        }
        if (!value.isValueNode()) {
            problems.add(child(key), "expected a single value, found " + describe(value));
            return Optional.empty();
        }
        String text = value.asText().trim();
        if (text.isEmpty()) {
            problems.add(child(key), "must not be empty");
            return Optional.empty();
        }
        return Optional.of(text);
    }

    String string(String key, String defaultValue) {
        return optionalString(key).orElse(defaultValue);
    }

    /** A required value; a placeholder is returned after recording the problem, so binding can go on. */
    String required(String key) {
        boolean present = has(key);
        Optional<String> value = optionalString(key);
        if (value.isEmpty() && !present) {
            problems.add(child(key), "missing (required)");
        }
        return value.orElse("");
    }

    Optional<Duration> optionalDuration(String key) {
        return optionalString(key).flatMap(text -> {
            try {
                return Optional.of(Durations.parse(text));
            } catch (IllegalArgumentException e) {
                problems.add(child(key), e.getMessage());
                return Optional.empty();
            }
        });
    }

    Duration duration(String key, Duration defaultValue) {
        Duration value = optionalDuration(key).orElse(defaultValue);
        if (value != null && (value.isZero() || value.isNegative()) && has(key)) {
            problems.add(child(key), "must be longer than 0s");
        }
        return value;
    }

    long byteSize(String key, long defaultValue) {
        return optionalString(key).map(text -> {
            try {
                return ByteSizes.parse(text);
            } catch (IllegalArgumentException e) {
                problems.add(child(key), e.getMessage());
                return defaultValue;
            }
        }).orElse(defaultValue);
    }

    int integer(String key, int defaultValue, int min, int max) {
        Optional<String> text = optionalString(key);
        if (text.isEmpty()) {
            return defaultValue;
        }
        try {
            int value = Integer.parseInt(text.get());
            if (value < min || value > max) {
                problems.add(child(key), value + " is out of range (" + min + " to " + max + ")");
                return defaultValue;
            }
            return value;
        } catch (NumberFormatException e) {
            problems.add(child(key), "\"" + text.get() + "\" is not a whole number");
            return defaultValue;
        }
    }

    boolean bool(String key, boolean defaultValue) {
        Optional<String> text = optionalString(key);
        if (text.isEmpty()) {
            return defaultValue;
        }
        return switch (text.get().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> {
                problems.add(child(key), "\"" + text.get() + "\" is not true or false");
                yield defaultValue;
            }
        };
    }

    <E extends Enum<E>> E enumValue(String key, Class<E> type, E defaultValue) {
        JsonNode value = node.get(key);
        // YAML 1.1 reads a bare off/on/no/yes as a boolean: "mode: off" must still mean the name off.
        Optional<String> text = value != null && value.isBoolean() ? Optional.of(value.booleanValue() ? "on" : "off") : optionalString(key);
        known.add(key);
        if (text.isEmpty()) {
            if (defaultValue == null && !has(key)) {
                problems.add(child(key), "missing (required)");
            }
            return defaultValue;
        }
        for (E constant : type.getEnumConstants()) {
            if (ConfigNames.of(constant).equals(text.get())) {
                return constant;
            }
        }
        problems.add(child(key), "\"" + text.get() + "\" is not one of " + String.join(", ",
                Arrays.stream(type.getEnumConstants()).map(ConfigNames::of).toList()));
        return defaultValue;
    }

    /** A {@link Schedule}, checked to run at all; empty when absent or wrong (the problem is reported). */
    Optional<Schedule> schedule(String key) {
        return optionalString(key).flatMap(text -> {
            try {
                Schedule parsed = Schedule.parse(text);
                parsed.next(Instant.EPOCH);
                return Optional.of(parsed);
            } catch (IllegalArgumentException | IllegalStateException e) {
                problems.add(child(key), e.getMessage());
                return Optional.empty();
            }
        });
    }

    Optional<Secret> secret(String key) {
        return optionalString(key).flatMap(reference -> {
            try {
                return Optional.of(Secret.resolve(reference, env));
            } catch (IllegalArgumentException e) {
                problems.add(child(key), e.getMessage());
                return Optional.empty();
            }
        });
    }

    List<String> strings(String key) {
        JsonNode value = raw(key);
        if (value == null) {
            return List.of();
        }
        if (value.isValueNode()) {
            return List.of(value.asText().trim());
        }
        if (!value.isArray()) {
            problems.add(child(key), "expected a list, found " + describe(value));
            return List.of();
        }
        List<String> items = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            JsonNode item = value.get(i);
            if (!item.isValueNode() || item.asText().isBlank()) {
                problems.add(child(key) + "[" + i + "]", "expected a single value, found " + describe(item));
            } else {
                items.add(item.asText().trim());
            }
        }
        return items;
    }

    Map<String, String> stringMap(String key) {
        Map<String, String> result = new LinkedHashMap<>();
        JsonNode value = raw(key);
        if (value == null) {
            return result;
        }
        if (!value.isObject()) {
            problems.add(child(key), "expected a mapping, found " + describe(value));
            return result;
        }
        value.fields().forEachRemaining(entry -> {
            if (!entry.getValue().isValueNode() || entry.getValue().isNull()) {
                problems.add(child(key) + "." + entry.getKey(), "expected a single value, found " + describe(entry.getValue()));
            } else {
                result.put(entry.getKey(), entry.getValue().asText());
            }
        });
        return result;
    }

    Section section(String key) {
        return Section.of(raw(key), child(key), problems, env);
    }

    /** Each item of a list of mappings, as a section with its index in the path. */
    List<Section> list(String key) {
        JsonNode value = raw(key);
        if (value == null) {
            return List.of();
        }
        if (!value.isArray()) {
            problems.add(child(key), "expected a list, found " + describe(value));
            return List.of();
        }
        List<Section> items = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            items.add(Section.of(value.get(i), child(key) + "[" + i + "]", problems, env));
        }
        return items;
    }

    /** Each entry of a mapping keyed by name (clusters, runbooks), as a section named by its key. */
    Map<String, Section> namedSections(String key) {
        Map<String, Section> entries = new LinkedHashMap<>();
        JsonNode value = raw(key);
        if (value == null) {
            return entries;
        }
        if (!value.isObject()) {
            problems.add(child(key), "expected a mapping of names to settings, found " + describe(value));
            return entries;
        }
        value.fields().forEachRemaining(entry ->
                entries.put(entry.getKey(), Section.of(entry.getValue(), child(key) + "." + entry.getKey(), problems, env)));
        return entries;
    }

    /** Names must be unique among siblings: a second "pg-1" would make every reference to it ambiguous. */
    void requireUniqueName(Set<String> seen, String name, String what) {
        if (!name.isEmpty() && !seen.add(name)) {
            problems.add(child("name"), "\"" + name + "\" is used by another " + what);
        }
    }

    /** Reports every key of this mapping that no read asked for, with the nearest known key as a hint. */
    void finish() {
        if (!(node instanceof ObjectNode object)) {
            return;
        }
        Iterator<String> names = object.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!known.contains(name)) {
                String hint = known.stream()
                        .filter(candidate -> EditDistance.of(candidate, name) <= Math.max(2, name.length() / 3))
                        .min(Comparator.comparingInt(candidate -> EditDistance.of(candidate, name)))
                        .map(candidate -> " (did you mean \"" + candidate + "\"?)")
                        .orElse(" (known keys: " + String.join(", ", known) + ")");
                problems.add(child(name), "unknown key" + hint);
            }
        }
    }

    static String describe(JsonNode node) {
        if (node.isObject()) {
            return "a mapping";
        }
        if (node.isArray()) {
            return "a list";
        }
        return "\"" + node.asText() + "\"";
    }
}
