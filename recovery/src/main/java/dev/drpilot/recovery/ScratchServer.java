package dev.drpilot.recovery;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The restored server in the scratch directory: configured so that nothing outside can reach it
 * (no TCP listener, its socket inside the scratch directory) and it cannot touch the real archive
 * ({@code archive_mode = off}), started, waited on until recovery has promoted it, queried, stopped.
 */
final class ScratchServer {
    private static final String LOG = "drpilot-restore.log";
    private static final Duration POLL = Duration.ofMillis(500);

    private final Path dataDirectory;
    private final int port;
    private final Path bin;
    private final CommandRunner runner;
    private final Map<String, String> environment;

    ScratchServer(Path dataDirectory, int port, Path bin, CommandRunner runner, Map<String, String> environment) {
        this.dataDirectory = dataDirectory;
        this.port = port;
        this.bin = bin;
        this.runner = runner;
        this.environment = environment;
    }

    /** The settings every restored server gets, after the tool's own; later lines of postgresql.auto.conf win. */
    static Map<String, String> isolation(Path dataDirectory, int port) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("port", Integer.toString(port));
        settings.put("listen_addresses", "");
        settings.put("unix_socket_directories", dataDirectory.toString());
        settings.put("archive_mode", "off");
        settings.put("hot_standby", "on");
        settings.put("primary_conninfo", "");
        settings.put("primary_slot_name", "");
        return settings;
    }

    void configure(Map<String, String> toolSettings, String osUser) throws IOException {
        Map<String, String> settings = new LinkedHashMap<>(toolSettings);
        settings.putAll(isolation(dataDirectory, port));
        StringBuilder text = new StringBuilder("\n# Written by drpilot restore-check: a scratch restore, isolated from the real cluster.\n");
        settings.forEach((key, value) -> text.append(key).append(" = '").append(value.replace("'", "''")).append("'\n"));
        Path auto = dataDirectory.resolve("postgresql.auto.conf");
        Files.writeString(auto, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        ScratchDirectory.own(auto, osUser);
        // A standby.signal left by the backup would keep the server a standby for ever instead of promoting it.
        Files.deleteIfExists(dataDirectory.resolve("standby.signal"));
    }

    Optional<String> start(Duration timeout) {
        CommandRunner.Result result = runner.run(new Command("start the restored server", List.of(pg("pg_ctl"), "-D", dataDirectory.toString(),
                "-l", dataDirectory.resolve(LOG).toString(), "-w", "-t", seconds(timeout), "start"), environment), timeout.plusSeconds(5));
        return result.succeeded() ? Optional.empty() : Optional.of(result.failure() + logTail());
    }

    /** Waits until recovery has ended and the server was promoted; the failure, when it did not by {@code deadline}. */
    Optional<String> awaitPromoted(Instant deadline, Duration queryTimeout) throws InterruptedException {
        while (Instant.now().isBefore(deadline)) {
            CommandRunner.Result result = query("SELECT pg_is_in_recovery()", queryTimeout);
            if (result.succeeded() && result.output().strip().equals("f")) {
                return Optional.empty();
            }
            if (!isRunning()) {
                return Optional.of("recovery stopped before it reached the target: the restored server is down" + logTail());
            }
            Thread.sleep(POLL.toMillis());
        }
        return Optional.of("recovery did not finish within the RTO" + logTail());
    }

    /** The newest commit replayed; when recovery replayed none, the start of the backup (the newest point it proves). */
    Optional<Instant> recoveryPoint(Duration queryTimeout) {
        CommandRunner.Result replayed = query("SELECT extract(epoch FROM pg_last_xact_replay_timestamp())", queryTimeout);
        if (replayed.succeeded() && !replayed.output().isBlank()) {
            BigDecimal seconds = new BigDecimal(replayed.output().strip());
            return Optional.of(Instant.ofEpochMilli(seconds.movePointRight(3).longValue()));
        }
        return backupStart();
    }

    private Optional<Instant> backupStart() {
        for (String name : List.of("backup_label.old", "backup_label")) {
            try {
                for (String line : Files.readAllLines(dataDirectory.resolve(name))) {
                    if (line.startsWith("START TIME: ")) {
                        String text = line.substring("START TIME: ".length()).strip();
                        return Optional.of(LocalDateTime.parse(text.substring(0, 19), DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss"))
                                .atOffset(ZoneOffset.of(text.substring(20).replace("UTC", "Z").replace("GMT", "Z"))).toInstant());
                    }
                }
            } catch (IOException | DateTimeParseException | StringIndexOutOfBoundsException e) {
                // The next candidate, or none: a recovery point we cannot prove is reported as unknown, never guessed.
                continue;
            }
        }
        return Optional.empty();
    }

    CommandRunner.Result query(String database, String sql, Duration timeout) {
        return runner.run(new Command("check query", List.of(pg("psql"), "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1",
                "-h", dataDirectory.toString(), "-p", Integer.toString(port), "-d", database, "-c", sql)), timeout);
    }

    private CommandRunner.Result query(String sql, Duration timeout) {
        return query("postgres", sql, timeout);
    }

    boolean isRunning() {
        return runner.run(new Command("server status", List.of(pg("pg_ctl"), "-D", dataDirectory.toString(), "status")),
                Duration.ofSeconds(10)).succeeded();
    }

    /** Stops the server: fast, else immediately (its data is thrown away next). */
    Optional<String> stop() {
        if (!Files.exists(dataDirectory.resolve("postmaster.pid"))) {
            return Optional.empty();
        }
        CommandRunner.Result fast = runner.run(new Command("stop the restored server", List.of(pg("pg_ctl"), "-D", dataDirectory.toString(),
                "-m", "fast", "-w", "-t", "60", "stop")), Duration.ofSeconds(65));
        if (fast.succeeded()) {
            return Optional.empty();
        }
        CommandRunner.Result immediate = runner.run(new Command("stop the restored server", List.of(pg("pg_ctl"), "-D", dataDirectory.toString(),
                "-m", "immediate", "-w", "-t", "30", "stop")), Duration.ofSeconds(35));
        return immediate.succeeded() ? Optional.empty() : Optional.of(immediate.failure());
    }

    String logTail() {
        try {
            List<String> lines = Files.readAllLines(dataDirectory.resolve(LOG));
            List<String> tail = new ArrayList<>(lines.subList(Math.max(0, lines.size() - 6), lines.size()));
            return tail.isEmpty() ? "" : "\nserver log:\n" + String.join("\n", tail);
        } catch (IOException e) {
            return "";
        }
    }

    private String pg(String program) {
        return bin.resolve(program).toString();
    }

    private static String seconds(Duration timeout) {
        return Long.toString(Math.max(1, timeout.toSeconds()));
    }
}
