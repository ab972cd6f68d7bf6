package dev.drpilot.agent;

import dev.drpilot.config.AgentSettings;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code pg_ctl} on the agent's data directory, as the server's own user: through {@code runuser -u USER --} when
 * {@code agent.osUser} is set (an agent running as root; the server refuses root), directly otherwise.
 */
final class PgCtl {
    private final AgentSettings settings;

    PgCtl(AgentSettings settings) {
        this.settings = settings;
    }

    /** The command line of {@code pg_ctl -D DATADIR ARGS...}, with the user switch when one is configured. */
    List<String> command(String... args) {
        List<String> command = new ArrayList<>();
        settings.osUser().ifPresent(user -> command.addAll(List.of("runuser", "-u", user, "--")));
        command.add(settings.bin().resolve("pg_ctl").toString());
        command.addAll(List.of("-D", settings.dataDir().toString()));
        command.addAll(List.of(args));
        return command;
    }

    /** {@code pg_ctl stop -m MODE}, waited for up to {@code timeout}; fails with pg_ctl's output. */
    void stop(String mode, Duration timeout) throws IOException {
        run(timeout, command("-m", mode, "-w", "-t", Long.toString(Math.max(1, timeout.toSeconds())), "stop"));
    }

    /**
     * Starts the server again with the options it last ran with ({@code pg_ctl restart} reads postmaster.opts and
     * starts a stopped server "anyway"); its early log goes to {@code startLog}.
     */
    void startAsBefore(String startLog, Duration timeout) throws IOException {
        run(timeout, command("-l", startLog, "-w", "-t", Long.toString(Math.max(1, timeout.toSeconds())), "restart"));
    }

    static String run(Duration timeout, List<String> command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            // pg_ctl prints a few lines; the server it starts writes to its -l file, not this pipe.
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IOException("timed out after " + timeout.toMillis() + " ms: " + String.join(" ", command));
            }
            String text = new String(output, StandardCharsets.UTF_8).trim();
            if (process.exitValue() != 0) {
                throw new IOException("exit " + process.exitValue() + " from " + String.join(" ", command) + ": " + text);
            }
            return text;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IOException("interrupted: " + String.join(" ", command), e);
        }
    }
}
