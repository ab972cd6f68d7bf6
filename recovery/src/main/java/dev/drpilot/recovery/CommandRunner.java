package dev.drpilot.recovery;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs a restore check's programs, each bounded by a timeout, as the OS user the restored server
 * belongs to ({@code runuser -u <user> --} when we are root). Output goes to files, not pipes, so a
 * chatty program cannot block on a full pipe; a program that overruns is killed with its children.
 */
public final class CommandRunner {

    /** What a program did; {@code timedOut}: it was killed at its deadline. */
    public record Result(Command command, int exitCode, boolean timedOut, String output) {
        public boolean succeeded() {
            return !timedOut && exitCode == 0;
        }

        /** The step, the command and what went wrong, for the published error. */
        public String failure() {
            String what = timedOut ? "stopped at its deadline" : "exit " + exitCode;
            String tail = lastLines(output.strip(), 8);
            return command.purpose() + " failed (" + what + "): " + command.line() + (tail.isEmpty() ? "" : ": " + tail);
        }

        private static String lastLines(String text, int count) {
            String[] lines = text.split("\n");
            return String.join("\n", List.of(lines).subList(Math.max(0, lines.length - count), lines.length));
        }
    }

    private final Optional<String> runAs;

    /** {@code runAs}: the OS user to run programs as, when it is not this process's user. */
    public CommandRunner(Optional<String> runAs) {
        this.runAs = runAs;
    }

    /** Runs as {@code osUser}, switching user only when this process runs as root (the only user that can). */
    public static CommandRunner as(String osUser) {
        String self = System.getProperty("user.name");
        return new CommandRunner("root".equals(self) && !"root".equals(osUser) ? Optional.of(osUser) : Optional.empty());
    }

    public Result run(Command command, Duration timeout) {
        List<String> line = new ArrayList<>();
        runAs.ifPresent(user -> line.addAll(List.of("runuser", "-u", user, "--")));
        line.addAll(command.arguments());
        Path output = null;
        Process process = null;
        try {
            output = Files.createTempFile("drpilot-restore-", ".out");
            ProcessBuilder builder = new ProcessBuilder(line).redirectErrorStream(true).redirectOutput(output.toFile())
                    .directory(Path.of("/").toFile());
            builder.environment().putAll(command.environment());
            process = builder.start();
            boolean finished = process.waitFor(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
            if (!finished) {
                kill(process);
                process.waitFor(10, TimeUnit.SECONDS);
            }
            String text = Files.readString(output, StandardCharsets.UTF_8);
            return new Result(command, finished ? process.exitValue() : -1, !finished, text);
        } catch (IOException e) {
            return new Result(command, -1, false, "could not run: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (process != null) {
                kill(process);
            }
            return new Result(command, -1, true, "interrupted");
        } finally {
            deleteQuietly(output);
        }
    }

    private static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    private static void deleteQuietly(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // A leftover temporary file in /tmp is harmless and must not hide the program's result.
            file.toFile().deleteOnExit();
        }
    }
}
