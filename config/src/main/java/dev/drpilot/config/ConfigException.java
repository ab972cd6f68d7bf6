package dev.drpilot.config;

import java.util.List;

/** The configuration is invalid. Carries every problem found, each naming the key it is about. */
public class ConfigException extends RuntimeException {
    private final transient List<String> problems;

    public ConfigException(String source, List<String> problems) {
        super(source + ": " + problems.size() + (problems.size() == 1 ? " problem" : " problems")
                + System.lineSeparator() + "  " + String.join(System.lineSeparator() + "  ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
