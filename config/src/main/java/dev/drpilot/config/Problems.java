package dev.drpilot.config;

import java.util.ArrayList;
import java.util.List;

/** Collects every problem of a configuration instead of stopping at the first. */
final class Problems {
    private final List<String> problems = new ArrayList<>();

    void add(String path, String message) {
        problems.add(path + ": " + message);
    }

    boolean isEmpty() {
        return problems.isEmpty();
    }

    int size() {
        return problems.size();
    }

    void throwIfAny(String source) {
        if (!problems.isEmpty()) {
            throw new ConfigException(source, problems);
        }
    }
}
