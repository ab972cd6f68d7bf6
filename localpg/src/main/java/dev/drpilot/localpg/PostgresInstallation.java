package dev.drpilot.localpg;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The PostgreSQL server binaries installed on this machine, and how to run them: PostgreSQL
 * refuses to run as root, so when the tests run as root every server command runs as the
 * {@code postgres} user through {@code runuser}.
 */
public final class PostgresInstallation {
    static final String INSTALL_HINT = "PostgreSQL server binaries not found. Install them (Debian/Ubuntu: apt-get install postgresql;"
            + " drpilot needs initdb, pg_ctl and pg_basebackup) or point PG_BIN at their directory.";

    private final Path bin;
    private final boolean asPostgresUser;

    private PostgresInstallation(Path bin, boolean asPostgresUser) {
        this.bin = bin;
        this.asPostgresUser = asPostgresUser;
    }

    /** Finds the newest installed server ({@code PG_BIN}, else {@code /usr/lib/postgresql/<version>/bin}). */
    public static PostgresInstallation find() {
        Path bin = Stream.concat(
                        Stream.ofNullable(System.getenv("PG_BIN")).map(Path::of),
                        installedVersions())
                .filter(dir -> Files.isExecutable(dir.resolve("initdb")) && Files.isExecutable(dir.resolve("pg_basebackup")))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException(INSTALL_HINT));
        return new PostgresInstallation(bin, "root".equals(System.getProperty("user.name")));
    }

    private static Stream<Path> installedVersions() {
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            return Stream.empty();
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions.sorted(Comparator.comparing((Path p) -> versionOf(p)).reversed()).map(p -> p.resolve("bin")).toList().stream();
        } catch (IOException e) {
            return Stream.empty();
        }
    }

    private static int versionOf(Path dir) {
        try {
            return Integer.parseInt(dir.getFileName().toString());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    public Path bin() {
        return bin;
    }

    /** A directory the server user may own, for data directories. */
    Path newDirectory(Path parent, String name) throws IOException {
        Path dir = Files.createDirectories(parent.resolve(name));
        if (asPostgresUser) {
            run(Duration.ofSeconds(10), List.of("chown", "-R", "postgres:postgres", parent.toString()), false);
        }
        return dir;
    }

    /** Runs a PostgreSQL program and returns its output; fails with that output when it exits non-zero. */
    String pg(Duration timeout, String program, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(bin.resolve(program).toString());
        command.addAll(List.of(args));
        return run(timeout, command, asPostgresUser);
    }

    static String run(Duration timeout, List<String> command, boolean asPostgres) throws IOException {
        List<String> full = new ArrayList<>();
        if (asPostgres) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(command);
        Process process = new ProcessBuilder(full).redirectErrorStream(true).start();
        try {
            // The output is small (a few lines); reading it before waiting keeps the pipe from filling.
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IOException("timed out after " + timeout.toSeconds() + "s: " + String.join(" ", full));
            }
            String text = new String(output);
            if (process.exitValue() != 0) {
                throw new IOException("exit " + process.exitValue() + " from " + String.join(" ", full) + ":\n" + text);
            }
            return text;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IOException("interrupted: " + String.join(" ", full), e);
        }
    }

    /** Sends a signal to a process (STOP, CONT, KILL); the server's processes belong to the postgres user. */
    static void signal(long pid, String signal) throws IOException {
        run(Duration.ofSeconds(10), List.of("kill", "-" + signal, Long.toString(pid)), false);
    }
}
