package dev.drpilot.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How a component's backups are proven restorable ({@code backups[].restoreCheck}): restored into
 * {@code scratchDirectory}, started on {@code port}, recovered to {@code target}, queried with
 * {@code checks}, removed.
 *
 * @param schedule    when the recovery service runs the check on its own; empty: only by hand
 * @param maxAge      how long without a successful check before the restore-check rule fires (only with a schedule)
 * @param pgBin       the PostgreSQL server binaries; empty: the newest under /usr/lib/postgresql
 * @param osUser      the operating-system user the restored server runs as (PostgreSQL refuses root)
 * @param environment for the backup tool: repository location and credentials (values may be ${ENV} references)
 */
public record RestoreCheckSettings(Optional<Schedule> schedule, Duration maxAge, Path scratchDirectory, int port, Target target,
                                   List<Check> checks, Optional<Path> pgBin, String osUser, Duration queryTimeout,
                                   Map<String, String> environment) {

    public static final Path DEFAULT_SCRATCH_PARENT = Path.of("/var/lib/drpilot/restore");
    public static final int DEFAULT_PORT = 55432;

    public RestoreCheckSettings {
        checks = List.copyOf(checks);
        environment = InOrder.copyOf(environment);
    }

    /** What recovery aims for. */
    public enum Target {
        /** The component's RPO before the check started: a point the plan promises to recover to. */
        NOW_MINUS_RPO,
        /** The end of the archived WAL. */
        LATEST
    }

    /**
     * One query run on the restored server.
     *
     * @param database the database the query runs in
     * @param expect   the value the first column of the first row must have; empty: the query must return rows
     */
    public record Check(String name, String database, String sql, Optional<String> expect) {
    }
}
