package dev.drpilot.agent.rejoin;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the PostgreSQL programs a rejoin needs, each bounded by a timeout, as the OS user that owns the data
 * directory ({@code runuser -u postgres --} when the agent runs as root; directly when it runs as that user).
 * Standard output and standard error are kept apart: pg_waldump prints records on one and how it stopped on the
 * other — and its output may be large, so it can be read a line at a time instead of kept.
 */
public final class CommandRunner {
    private static final Logger LOG = LoggerFactory.getLogger(CommandRunner.class);

    /** What a program did: its exit code (-1 when it timed out and was killed) and both outputs. */
    public record Result(List<String> command, int exitCode, boolean timedOut, String stdout, String stderr, Duration took) {

        public boolean succeeded() {
            return !timedOut && exitCode == 0;
        }

        /** The command and what went wrong, for an error message. */
        public String failure() {
            String what = timedOut ? "timed out after " + took.toSeconds() + " s" : "exit " + exitCode;
            String output = (stderr.strip() + "\n" + (stderr.isBlank() ? stdout.strip() : "")).strip();
            return String.join(" ", command) + ": " + what + (output.isEmpty() ? "" : ": " + lastLines(output, 12));
        }

        private static String lastLines(String text, int count) {
            String[] lines = text.split("\n");
            return String.join("\n", List.of(lines).subList(Math.max(0, lines.length - count), lines.length));
        }
    }

    private final Path bin;
    private final Optional<String> runAs;

    /** {@code bin}: the PostgreSQL server binaries; {@code runAs}: the OS user to run them as, when not this one. */
    public CommandRunner(Path bin, Optional<String> runAs) {
        this.bin = bin;
        this.runAs = runAs;
    }

    /** Runs {@code program} (a PostgreSQL binary) with {@code args}; a start failure or timeout is in the result. */
    public Result pg(Duration timeout, String program, String... args) {
        StringBuilder stdout = new StringBuilder();
        Result result = pg(timeout, line -> stdout.append(line).append('\n'), program, args);
        return new Result(result.command(), result.exitCode(), result.timedOut(), stdout.toString(), result.stderr(), result.took());
    }

    /** As {@link #pg(Duration, String, String...)}, handing standard output to {@code lines} instead of keeping it. */
    public Result pg(Duration timeout, Consumer<String> lines, String program, String... args) {
        List<String> command = new ArrayList<>();
        runAs.ifPresent(user -> command.addAll(List.of("runuser", "-u", user, "--")));
        command.add(bin.resolve(program).toString());
        command.addAll(List.of(args));
        return run(timeout, command, lines);
    }

    private static Result run(Duration timeout, List<String> command, Consumer<String> lines) {
        long started = System.nanoTime();
        Path err = null;
        Process process = null;
        try {
            // Standard error to a file: a program that writes much there while we read its output cannot block.
            err = Files.createTempFile("drpilot-rejoin-", ".err");
            process = new ProcessBuilder(command).redirectError(err.toFile()).redirectInput(new File("/dev/null")).start();
            Process running = process;
            AtomicBoolean timedOut = new AtomicBoolean();
            CompletableFuture<Void> watchdog = CompletableFuture.runAsync(() -> {
                if (running.isAlive()) {
                    timedOut.set(true);
                    kill(running);
                }
            }, CompletableFuture.delayedExecutor(timeout.toMillis(), TimeUnit.MILLISECONDS));
            try (BufferedReader reader = process.inputReader(StandardCharsets.UTF_8)) {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    lines.accept(line);
                }
            }
            process.waitFor();
            watchdog.cancel(false);
            return new Result(command, timedOut.get() ? -1 : process.exitValue(), timedOut.get(), "", Files.readString(err, StandardCharsets.UTF_8),
                    Duration.ofNanos(System.nanoTime() - started));
        } catch (IOException e) {
            kill(process);
            return new Result(command, -1, false, "", "could not run: " + e.getMessage(), Duration.ofNanos(System.nanoTime() - started));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill(process);
            return new Result(command, -1, false, "", "interrupted", Duration.ofNanos(System.nanoTime() - started));
        } finally {
            deleteQuietly(err);
        }
    }

    private static void kill(Process process) {
        if (process != null) {
            // runuser does not pass SIGKILL on: kill the program itself too.
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // A leftover temporary file is harmless; the command's outcome is what matters.
                LOG.warn("could not remove {}: {}", file, e.getMessage());
            }
        }
    }
}
