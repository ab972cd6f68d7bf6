package dev.drpilot.agent.rejoin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the PostgreSQL programs a rejoin needs, each bounded by a timeout, as the OS user that owns the data
 * directory ({@code runuser -u postgres --} when the agent runs as root; directly when it runs as that user).
 * Standard output and standard error are kept apart: pg_waldump prints records on one and how it stopped on the
 * other.
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
        List<String> command = new ArrayList<>();
        command.add(bin.resolve(program).toString());
        command.addAll(List.of(args));
        return run(timeout, command);
    }

    Result run(Duration timeout, List<String> command) {
        List<String> full = new ArrayList<>();
        runAs.ifPresent(user -> full.addAll(List.of("runuser", "-u", user, "--")));
        full.addAll(command);
        long started = System.nanoTime();
        Process process = null;
        Path out = null;
        Path err = null;
        try {
            // Files, not pipes: a program that writes much to one stream while we wait on the other cannot block.
            out = Files.createTempFile("drpilot-rejoin-", ".out");
            err = Files.createTempFile("drpilot-rejoin-", ".err");
            process = new ProcessBuilder(full).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
            boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                kill(process);
                process.waitFor(5, TimeUnit.SECONDS);
            }
            return new Result(full, finished ? process.exitValue() : -1, !finished, read(out), read(err),
                    Duration.ofNanos(System.nanoTime() - started));
        } catch (IOException e) {
            return new Result(full, -1, false, "", "could not run: " + e.getMessage(), Duration.ofNanos(System.nanoTime() - started));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill(process);
            return new Result(full, -1, false, "", "interrupted", Duration.ofNanos(System.nanoTime() - started));
        } finally {
            deleteQuietly(out);
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

    private static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
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
