package dev.drpilot.recovery;

import java.util.List;
import java.util.Map;

/**
 * One external program a restore check runs: what it is for (named in errors), its arguments and
 * the environment it needs beyond ours (the backup tool's repository and credentials).
 */
public record Command(String purpose, List<String> arguments, Map<String, String> environment) {
    public Command {
        arguments = List.copyOf(arguments);
        environment = Map.copyOf(environment);
    }

    public Command(String purpose, List<String> arguments) {
        this(purpose, arguments, Map.of());
    }

    /** The command line as shown in reports and logs (the environment is left out: it may hold credentials). */
    public String line() {
        return String.join(" ", arguments);
    }
}
