package dev.drpilot.config;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which alerts a silence, a maintenance window or one side of an inhibition rule is about, as Alertmanager's equality
 * matchers: every given label must hold; within one label, any listed value may match. The labels are an alert's
 * {@code rule}, {@code severity} ({@code info}, {@code warning}, {@code critical}), {@code component}, {@code cluster}
 * and {@code node}. No matchers match every alert.
 */
public record Matchers(@JsonValue Map<String, Set<String>> values) {
    /** The labels a matcher may name. */
    public static final List<String> LABELS = List.of("rule", "cluster", "component", "node", "severity");
    private static final Set<String> SEVERITIES = Set.of("info", "warning", "critical");

    public Matchers {
        Map<String, Set<String>> copy = new LinkedHashMap<>();
        values.forEach((label, allowed) -> copy.put(label, InOrder.copyOf(allowed)));
        values = InOrder.copyOf(copy);
    }

    public static Matchers none() {
        return new Matchers(Map.of());
    }

    public boolean isEmpty() {
        return values.isEmpty();
    }

    /** @param labels an alert's labels as {@link #LABELS} names them; a label it lacks matches no value */
    public boolean matches(Map<String, String> labels) {
        for (Map.Entry<String, Set<String>> wanted : values.entrySet()) {
            String value = labels.get(wanted.getKey());
            if (value == null || !wanted.getValue().contains(value)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Parses the command line's spelling, {@code rule=replication-lag,cluster=orders}: one value per label, at least one
     * label.
     *
     * @throws IllegalArgumentException naming the part that is wrong
     */
    public static Matchers parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("give at least one LABEL=VALUE (labels: " + String.join(", ", LABELS) + ")");
        }
        Map<String, Set<String>> values = new LinkedHashMap<>();
        for (String part : text.split(",", -1)) {
            int equals = part.indexOf('=');
            if (equals <= 0) {
                throw new IllegalArgumentException("\"" + part + "\" is not LABEL=VALUE (e.g. rule=replication-lag,cluster=orders)");
            }
            String label = part.substring(0, equals).trim();
            String value = part.substring(equals + 1).trim();
            if (values.containsKey(label)) {
                throw new IllegalArgumentException("\"" + label + "\" is given twice");
            }
            List<String> problems = problems(label, List.of(value));
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException(problems.get(0));
            }
            values.put(label, Set.of(value));
        }
        return new Matchers(values);
    }

    /** What is wrong with matching {@code label} against {@code values}: an unknown label, an unknown rule or severity. */
    static List<String> problems(String label, List<String> values) {
        List<String> problems = new ArrayList<>();
        if (!LABELS.contains(label)) {
            problems.add("\"" + label + "\" is not a label alerts carry (labels: " + String.join(", ", LABELS) + ")");
            return problems;
        }
        if (values.isEmpty()) {
            problems.add("\"" + label + "\" has no value");
        }
        for (String value : values) {
            if (value.isEmpty()) {
                problems.add("\"" + label + "\" has an empty value");
            } else if (label.equals("rule") && !ConfigLoader.RULES.contains(value)) {
                problems.add("no rule named \"" + value + "\" (rules: " + String.join(", ", ConfigLoader.RULES) + ")");
            } else if (label.equals("severity") && !SEVERITIES.contains(value)) {
                problems.add("\"" + value + "\" is not one of info, warning, critical");
            }
        }
        return problems;
    }

    /** The command line's spelling back, {@code rule=replication-lag,cluster=orders}; alternatives joined by {@code |}. */
    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        values.forEach((label, allowed) -> parts.add(label + "=" + String.join("|", allowed)));
        return String.join(",", parts);
    }

    /** Binds a mapping of label to a value or a list of values, reporting every problem under its key. */
    static Matchers bind(Section section) {
        Map<String, Set<String>> values = new LinkedHashMap<>();
        for (String label : section.keys()) {
            List<String> allowed = section.strings(label);
            for (String problem : problems(label, allowed)) {
                section.problems().add(section.child(label), problem);
            }
            values.put(label, new LinkedHashSet<>(allowed));
        }
        section.finish();
        return new Matchers(values);
    }
}
