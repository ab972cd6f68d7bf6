package dev.drpilot.ingest.backup;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Runs a backup tool's listing command through {@code sh -c} with a deadline. Its outcome is
 * data: an exit code, the output, the error output — never an exception that could stop a
 * collector.
 */
final class BackupCommand {
    static final int MAX_ERROR_CHARS = 2_000;

    private static final ExecutorService OUTPUT_READERS = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "backup-command-output");
        thread.setDaemon(true);
        return thread;
    });

    record Result(boolean timedOut, int exitCode, String stdout, String stderr) {
        boolean succeeded() {
            return !timedOut && exitCode == 0;
        }

        /** The last part of the error output (where tools put the reason), for an observation. */
        String stderrTail() {
            String trimmed = stderr.strip();
            return trimmed.length() <= MAX_ERROR_CHARS ? trimmed : "..." + trimmed.substring(trimmed.length() - MAX_ERROR_CHARS);
        }
    }

    private BackupCommand() {
    }

    static Result run(String command, Duration timeout) {
        Process process;
        try {
            process = new ProcessBuilder(List.of("sh", "-c", command)).redirectInput(ProcessBuilder.Redirect.PIPE).start();
        } catch (IOException e) {
            return new Result(false, 127, "", "cannot start: " + e.getMessage());
        }
        // No input: close it so a tool that reads stdin gets EOF instead of waiting.
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // Closing the child's stdin can only fail if it already exited; its exit code tells the rest.
        }
        // Both streams are drained concurrently, or a chatty tool blocks on a full pipe and "times out".
        CompletableFuture<String> stdout = drain(process.getInputStream());
        CompletableFuture<String> stderr = drain(process.getErrorStream());
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                // What it said before it hung is often the reason (a stalled connection); the pipe closes with the process.
                // Killing it may close the pipe under the reader: then there is no partial output to report.
                return new Result(true, -1, "", stderr.exceptionally(error -> "").completeOnTimeout("", 2, TimeUnit.SECONDS).join());
            }
            return new Result(false, process.exitValue(), stdout.get(5, TimeUnit.SECONDS), stderr.get(5, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            return new Result(true, -1, "", "interrupted");
        } catch (Exception e) {
            // The process has exited here (waitFor returned true), so its exit code is there to read.
            return new Result(false, process.isAlive() ? -1 : process.exitValue(), "", "cannot read the command's output: " + e);
        }
    }

    private static CompletableFuture<String> drain(InputStream stream) {
        // Threads of their own, not the common pool: on 2 cores that pool has one thread, and the stdout reader of a hung
        // command holds it until the kill, while stderr — often the reason it hangs — waits unread behind it.
        return CompletableFuture.supplyAsync(() -> {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            try (InputStream in = stream) {
                byte[] chunk = new byte[8192];
                for (int n = in.read(chunk); n >= 0; n = in.read(chunk)) {
                    buffer.write(chunk, 0, n);
                }
            } catch (IOException e) {
                // Killing a hung command closes the pipe under a blocked read ("Stream closed"): what was read before
                // that is kept — it is the part that says why the command hung.
            }
            return buffer.toString(StandardCharsets.UTF_8);
        }, OUTPUT_READERS);
    }
}
