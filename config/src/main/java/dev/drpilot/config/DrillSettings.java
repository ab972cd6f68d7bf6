package dev.drpilot.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The {@code drills:} section: rehearsals of the DR plan that drpilot runs on a schedule or by hand
 * ({@code drpilot drill run NAME}), each producing a report in {@code reportDirectory}.
 */
public record DrillSettings(Path reportDirectory, List<Drill> plans) {
    public static final Path DEFAULT_REPORT_DIRECTORY = Path.of("./var/drills");

    public DrillSettings {
        plans = List.copyOf(plans);
    }

    public static DrillSettings none() {
        return new DrillSettings(DEFAULT_REPORT_DIRECTORY, List.of());
    }

    public Optional<Drill> plan(String name) {
        return plans.stream().filter(plan -> plan.name().equals(name)).findFirst();
    }

    public enum Kind { SWITCHOVER, RESTORE, FAILOVER_DRY_RUN }

    /**
     * One named drill.
     *
     * @param schedule  when the drill service runs it; empty: only by hand
     * @param cluster   switchover and failover-dry-run: the cluster drilled
     * @param component restore: the component whose {@code backups[].restoreCheck} runs; the others: the cluster's component
     * @param timeout   the most the actuator may take for one switchover or dry run before the drill counts it failed
     */
    public record Drill(String name, Kind kind, Optional<Schedule> schedule, Optional<String> cluster, String component,
                        Optional<Switchover> switchover, Duration timeout) {
    }

    /**
     * What a switchover drill does.
     *
     * @param to            the replica to switch to; empty: the caught-up promotable replica with the highest priority
     * @param switchBack    whether the drill switches back to the primary it found once that one follows the new primary again
     * @param maxLag        refused when a row committed on the primary takes longer than this to appear on the target
     * @param rejoinTimeout how long a switch back waits for the old primary to follow the new one (its agent rejoins it)
     * @param probe         the table the drill writes and reads back (created when missing)
     */
    public record Switchover(Optional<String> to, boolean switchBack, Duration maxLag, Duration rejoinTimeout, Probe probe) {
    }

    /** The write probe: rows of the drill's writer go into {@code table} of {@code database}. */
    public record Probe(String table, Optional<String> database, Duration writeInterval) {
    }
}
