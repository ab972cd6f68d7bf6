package dev.drpilot.notify.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real {@code promtool} and {@code amtool} (Debian: packages {@code prometheus} and
 * {@code prometheus-alertmanager}), run as processes. Missing, they fail the test with what to
 * install: a check that did not run must not look like a check that passed.
 */
final class PrometheusTools {
    private PrometheusTools() {
    }

    /** What a tool printed (stdout and stderr together) and how it exited. */
    record Run(List<String> command, int exitCode, String output) {
        @Override
        public String toString() {
            return String.join(" ", command) + " exited " + exitCode + ":\n" + output;
        }
    }

    static Run promtool(Path workingDir, String... args) throws IOException, InterruptedException {
        return run(workingDir, binary("PROMTOOL_BIN", "promtool", "prometheus"), args);
    }

    static Run amtool(Path workingDir, String... args) throws IOException, InterruptedException {
        return run(workingDir, binary("AMTOOL_BIN", "amtool", "prometheus-alertmanager"), args);
    }

    /** The repository's {@code deploy/} folder, found from the module's directory (where Maven runs the tests) upwards. */
    static Path deployDir() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("deploy/prometheus"))) {
                return dir.resolve("deploy");
            }
        }
        throw new IllegalStateException("no deploy/prometheus folder above " + Path.of("").toAbsolutePath());
    }

    private static Run run(Path workingDir, Path binary, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(binary.toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(workingDir.toFile()).redirectErrorStream(true).start();
        // The tools print little; reading to the end before waiting cannot block on a full pipe.
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " did not finish within 60 s");
        }
        return new Run(command, process.exitValue(), output);
    }

    private static Path binary(String variable, String name, String debianPackage) {
        String configured = System.getenv(variable);
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("No " + name + " found. Install it (Debian/Ubuntu: apt-get install " + debianPackage
                + ") or set " + variable + " to the executable; ./run-tests installs it when run as root.");
    }
}
