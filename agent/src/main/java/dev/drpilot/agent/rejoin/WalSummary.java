package dev.drpilot.agent.rejoin;

import dev.drpilot.agent.rejoin.DiscardedWrites.RelationWrites;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads pg_waldump's output a line at a time and keeps only sums: committed row changes per relation, and the
 * changes of transactions still open. A transaction's changes are held until its COMMIT (added to the sums) or
 * ABORT (dropped), so memory grows with the relations and the open transactions, not with the WAL read — an old
 * primary cut off for hours may have gigabytes of it.
 */
final class WalSummary {

    /** Row changes to one relation, keyed by file node (or "relation oids ..." for a TRUNCATE). */
    private record Counts(Optional<RelFileNode> fileNode, long inserted, long updated, long deleted, long truncated) {
        Counts plus(Counts other) {
            return new Counts(fileNode, inserted + other.inserted, updated + other.updated, deleted + other.deleted,
                    truncated + other.truncated);
        }

        long rows() {
            return inserted + updated + deleted + truncated;
        }
    }

    private static final Pattern TUPLES = Pattern.compile("(\\d+) tuples");
    private static final Pattern SUBTRANSACTIONS = Pattern.compile("subxacts:((?: \\d+)+)");
    private static final Pattern TRUNCATED_OIDS = Pattern.compile("relids ([\\d ]+)");
    private static final String NOTHING_AFTER_START = "could not find a valid record after";

    private final Map<Long, Map<String, Counts>> open = new HashMap<>();
    private final Map<String, Counts> committed = new LinkedHashMap<>();
    private int commits;
    private long records;
    private WalRecord last;

    /** One line of pg_waldump's standard output. */
    void accept(String line) {
        WalRecord.parse(line).ifPresent(this::accept);
    }

    private void accept(WalRecord record) {
        records++;
        last = record;
        if ("Transaction".equals(record.rmgr())) {
            String operation = record.operation();
            if (operation.startsWith("COMMIT")) {
                commits++;
                transactionAndChildren(record).forEach(xid -> {
                    Map<String, Counts> changes = open.remove(xid);
                    if (changes != null) {
                        changes.forEach((relation, counts) -> committed.merge(relation, counts, Counts::plus));
                    }
                });
            } else if (operation.startsWith("ABORT")) {
                transactionAndChildren(record).forEach(open::remove);
            }
            return;
        }
        changeOf(record).ifPresent(change -> open.computeIfAbsent(record.xid(), xid -> new HashMap<>())
                .merge(change.getKey(), change.getValue(), Counts::plus));
    }

    /**
     * The summary of the range from {@code from} to where pg_waldump stopped. {@code stderr}: how it stopped — after
     * records that is the end of the WAL; before any, "no valid record after" means nothing was written there, any
     * other error that the range could not be read. {@code names} resolves a file node on the new primary.
     */
    DiscardedWrites finish(Lsn from, String stderr, ControlData control, Function<RelFileNode, Optional<String>> names) {
        if (records == 0) {
            if (stderr.contains(NOTHING_AFTER_START)) {
                return new DiscardedWrites(from, from, 0, List.of(), 0, Optional.empty());
            }
            return DiscardedWrites.unreadable(from, stderr.isBlank() ? "pg_waldump printed nothing" : stderr.strip());
        }
        List<RelationWrites> relations = committed.entrySet().stream()
                .map(entry -> {
                    Counts counts = entry.getValue();
                    // Resolved once per relation: each name is a query on the new primary.
                    String name = counts.fileNode().flatMap(names).orElse(entry.getKey());
                    return new RelationWrites(name, counts.fileNode(), counts.inserted(), counts.updated(), counts.deleted(), counts.truncated());
                })
                .sorted(Comparator.comparing(RelationWrites::relation))
                .toList();
        long uncommitted = open.values().stream().flatMap(changes -> changes.values().stream()).mapToLong(Counts::rows).sum();
        return new DiscardedWrites(from, last.end(control.walBlockSize(), control.walSegmentSize()), commits, relations, uncommitted,
                Optional.empty());
    }

    private static List<Long> transactionAndChildren(WalRecord record) {
        Matcher children = SUBTRANSACTIONS.matcher(record.description());
        if (!children.find()) {
            return List.of(record.xid());
        }
        List<Long> xids = new ArrayList<>();
        xids.add(record.xid());
        for (String xid : children.group(1).trim().split(" ")) {
            xids.add(Long.parseLong(xid));
        }
        return xids;
    }

    private static Optional<Map.Entry<String, Counts>> changeOf(WalRecord record) {
        String operation = record.operation();
        Optional<RelFileNode> node = record.relation();
        String key = node.map(RelFileNode::toString).orElse("");
        if ("Heap".equals(record.rmgr())) {
            switch (operation) {
                case "INSERT":
                    return Optional.of(Map.entry(key, new Counts(node, 1, 0, 0, 0)));
                case "UPDATE":
                case "HOT_UPDATE":
                    return Optional.of(Map.entry(key, new Counts(node, 0, 1, 0, 0)));
                case "DELETE":
                    return Optional.of(Map.entry(key, new Counts(node, 0, 0, 1, 0)));
                case "TRUNCATE":
                    // TRUNCATE names relation OIDs, not file nodes: they cannot be resolved the same way.
                    Matcher oids = TRUNCATED_OIDS.matcher(record.description());
                    return Optional.of(Map.entry("relation oids " + (oids.find() ? oids.group(1).trim() : "?"),
                            new Counts(Optional.empty(), 0, 0, 0, 1)));
                default:
                    return Optional.empty();
            }
        }
        if ("Heap2".equals(record.rmgr()) && "MULTI_INSERT".equals(operation)) {
            Matcher tuples = TUPLES.matcher(record.description());
            return Optional.of(Map.entry(key, new Counts(node, tuples.find() ? Long.parseLong(tuples.group(1)) : 1, 0, 0, 0)));
        }
        return Optional.empty();
    }
}
