package dev.drpilot.agent.rejoin;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A timeline history file ({@code pg_wal/0000000N.history}): for every ancestor timeline of timeline N, the WAL
 * location where the server that was promoted switched away from it. That switch point is where an old primary
 * still on the ancestor timeline diverged: what it wrote from there on, no replica had.
 */
public record TimelineHistory(int timeline, List<Entry> entries) {

    /** One line of the file: timeline {@code parent} ended at {@code switchPoint} ({@code reason} in words). */
    public record Entry(int parent, Lsn switchPoint, String reason) {
    }

    public TimelineHistory {
        entries = List.copyOf(entries);
    }

    /** Parses the file's text; comment and blank lines are skipped as PostgreSQL skips them. */
    public static TimelineHistory parse(int timeline, String text) {
        List<Entry> entries = new ArrayList<>();
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] fields = line.split("\\s+", 3);
            if (fields.length < 2) {
                throw new IllegalArgumentException("timeline " + timeline + " history: line without a switch point: " + line);
            }
            try {
                entries.add(new Entry(Integer.parseInt(fields[0]), Lsn.parse(fields[1]), fields.length > 2 ? fields[2] : ""));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("timeline " + timeline + " history: unreadable line: " + line, e);
            }
        }
        return new TimelineHistory(timeline, entries);
    }

    /** Where this timeline's lineage left {@code ancestor}; empty when {@code ancestor} is not in its lineage. */
    public Optional<Lsn> switchPointOf(int ancestor) {
        return entries.stream().filter(entry -> entry.parent() == ancestor).map(Entry::switchPoint).findFirst();
    }
}
