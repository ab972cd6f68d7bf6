package dev.drpilot.agent.rejoin;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code pg_controldata} says about a data directory that matters to a rejoin: whether the server was shut
 * down cleanly, its timeline, and whether {@code pg_rewind} can work on it (it needs {@code wal_log_hints = on} or
 * data checksums, so that hint-bit changes are WAL-logged and a changed page cannot go unnoticed).
 */
public record ControlData(String systemIdentifier, String clusterState, int checkpointTimeline, boolean walLogHints,
                          int checksumVersion, int walBlockSize, long walSegmentSize) {

    private static final List<String> REQUIRED = List.of("Database system identifier", "Database cluster state",
            "Latest checkpoint's TimeLineID", "wal_log_hints setting", "Data page checksum version", "WAL block size",
            "Bytes per WAL segment");

    /** Parses pg_controldata's output ("Name:   value" lines); a field it needs and cannot find is an error. */
    public static ControlData parse(String output) {
        Map<String, String> fields = new HashMap<>();
        for (String line : output.split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                fields.putIfAbsent(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
            }
        }
        List<String> missing = REQUIRED.stream().filter(name -> !fields.containsKey(name)).toList();
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("pg_controldata output lacks " + String.join(", ", missing));
        }
        try {
            return new ControlData(fields.get("Database system identifier"), fields.get("Database cluster state"),
                    Integer.parseInt(fields.get("Latest checkpoint's TimeLineID")), "on".equals(fields.get("wal_log_hints setting")),
                    Integer.parseInt(fields.get("Data page checksum version")), Integer.parseInt(fields.get("WAL block size")),
                    Long.parseLong(fields.get("Bytes per WAL segment")));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("pg_controldata output has a number that is not one: " + e.getMessage(), e);
        }
    }

    public boolean dataChecksums() {
        return checksumVersion != 0;
    }

    /** pg_rewind's own requirement on the target. */
    public boolean rewindable() {
        return walLogHints || dataChecksums();
    }

    /** "shut down" (a clean stop) or "shut down in recovery" (a stopped replica); anything else needs crash recovery. */
    public boolean shutDownCleanly() {
        return clusterState.startsWith("shut down");
    }
}
