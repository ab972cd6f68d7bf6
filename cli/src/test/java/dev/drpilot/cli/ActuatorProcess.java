package dev.drpilot.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;

/**
 * One {@code drpilot act} process, started through the packaged launcher as production starts it, and the ways a process
 * goes wrong under an orchestrator: frozen (SIGSTOP: a stalled VM, a long GC pause, a stopped container) and resumed,
 * or killed with SIGKILL. The launcher {@code exec}s the JVM, so the process's pid is the JVM's.
 */
final class ActuatorProcess implements AutoCloseable {
    static final Path LAUNCHER = Path.of("target", "drpilot-dist", "bin", "drpilot").toAbsolutePath();
    private static final Pattern METRICS = Pattern.compile("metrics (http://127\\.0\\.0\\.1:\\d+)/metrics");
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private final String name;
    private final Path log;
    private final Process process;
    private volatile String state = "running";
    private volatile boolean stopAsked;

    private ActuatorProcess(String name, Path log, Process process) {
        this.name = name;
        this.log = log;
        this.process = process;
    }

    /** Starts {@code drpilot act --config CONFIG}; its output goes to {@code DIR/NAME.log}. */
    static ActuatorProcess start(String name, Path config, String bootstrapServers, Path dir) throws IOException {
        Path log = dir.resolve(name + ".log");
        ProcessBuilder builder = new ProcessBuilder(LAUNCHER.toString(), "act", "--config", config.toString(), "--bootstrap-servers",
                bootstrapServers, "--metrics-listen", "127.0.0.1:0").redirectErrorStream(true).redirectOutput(log.toFile());
        // Two JVMs beside the test's on a small shared machine: a small heap, a quick start.
        builder.environment().put("DRPILOT_JAVA_OPTS", "-Xms64m -Xmx384m -XX:+UseSerialGC -XX:TieredStopAtLevel=1");
        return new ActuatorProcess(name, log, builder.start());
    }

    void awaitRunning(Duration timeout) {
        await(name + " to report it is running (log " + log + ")").atMost(timeout).pollInterval(Duration.ofMillis(200))
                .failFast(name + " exited early:\n" + logTail(), () -> !process.isAlive())
                .until(() -> log().contains("drpilot act running on Kafka at"));
    }

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** SIGSTOP: the JVM stops where it is, every thread, heartbeats included; what it started (a fence command) runs on. */
    void freeze() throws IOException, InterruptedException {
        signal("STOP");
        state = "frozen";
    }

    /** SIGCONT: it goes on from where it stood, unaware of the time that passed. */
    void thaw() throws IOException, InterruptedException {
        signal("CONT");
        state = "resumed";
    }

    /** SIGTERM without waiting: several processes stop side by side, then {@link #stop} waits for each. */
    void askToStop() {
        if (process.isAlive()) {
            process.destroy();
            stopAsked = true;
        }
    }

    /** SIGKILL, and waits until it is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        state = "killed";
        if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            throw new IllegalStateException(name + " (pid " + pid() + ") did not die of SIGKILL within " + STOP_TIMEOUT.toSeconds() + " s");
        }
    }

    /**
     * SIGTERM (drpilot stops after the step under way), SIGKILL if it is not gone within 30 s.
     *
     * @return whether it stopped on SIGTERM
     */
    boolean stop() throws InterruptedException {
        if (!process.isAlive()) {
            return true;
        }
        if (!stopAsked) {
            process.destroy();
        }
        boolean clean = process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        if (!clean) {
            process.destroyForcibly().waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
        state = clean ? "stopped" : "stopped (SIGKILL after SIGTERM timed out)";
        return clean;
    }

    /** Whether its health endpoint says a worker died (503); false while it answers 200 or cannot be asked. */
    boolean reportsDeadWorker() {
        Matcher metrics = METRICS.matcher(log());
        if (!process.isAlive() || !metrics.find()) {
            return false;
        }
        try {
            HttpResponse<String> health = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build().send(
                    HttpRequest.newBuilder(URI.create(metrics.group(1) + "/healthz")).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return health.statusCode() == 503;
        } catch (IOException e) {
            return false;   // not answering is not an answer; the caller keeps asking
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    /** What it is and did, for an assertion's message: its state and the end of its log. */
    String describe() {
        return "---- " + name + " (pid " + pid() + ", " + state + (process.isAlive() ? "" : ", exit " + process.exitValue()) + "), log "
                + log + ":\n" + logTail();
    }

    private String logTail() {
        List<String> lines = log().lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 150), lines.size()));
    }

    private void signal(String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid())).redirectErrorStream(true).start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill -" + signal + " " + pid() + " failed: " + new String(kill.getInputStream().readAllBytes()));
        }
    }

    /** Gone, whatever state it was left in (SIGKILL ends a stopped process too). */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly().waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
    }
}
