package dev.drpilot.agent.rejoin;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The writes the old primary took that no replica had: its WAL from the divergence point to its end, summarised
 * per relation (rows inserted, updated, deleted, truncations) for the transactions that committed — a transaction
 * still open when the server stopped was never acknowledged to anyone, so it is only counted.
 *
 * @param relations            committed changes per relation, named through the new primary where it still has
 *                             the relation (a table created after the divergence has only its file node)
 * @param uncommittedChanges   row changes of transactions that never committed
 * @param unreadable           why the range could not be read, when it could not (the summary is then unknown)
 */
public record DiscardedWrites(Lsn from, Lsn to, int committedTransactions, List<RelationWrites> relations,
                              long uncommittedChanges, Optional<String> unreadable) {

    /** Row changes to one relation. {@code relation} is {@code schema.table}, or the file node when unresolved. */
    public record RelationWrites(String relation, Optional<RelFileNode> fileNode, long inserted, long updated, long deleted,
                                 long truncated) {

        RelationWrites plus(Change change) {
            return new RelationWrites(relation, fileNode, inserted + change.inserted, updated + change.updated,
                    deleted + change.deleted, truncated + change.truncated);
        }

        @Override
        public String toString() {
            return relation + " " + changes();
        }

        /** "5 inserted, 2 updated, 1 deleted". */
        public String changes() {
            List<String> parts = new ArrayList<>();
            if (inserted > 0) {
                parts.add(inserted + " inserted");
            }
            if (updated > 0) {
                parts.add(updated + " updated");
            }
            if (deleted > 0) {
                parts.add(deleted + " deleted");
            }
            if (truncated > 0) {
                parts.add(truncated + " truncated");
            }
            return String.join(", ", parts);
        }
    }

    private record Change(String relationKey, Optional<RelFileNode> fileNode, long inserted, long updated, long deleted,
                          long truncated) {
    }

    private static final Pattern TUPLES = Pattern.compile("(\\d+) tuples");
    private static final Pattern SUBTRANSACTIONS = Pattern.compile("subxacts:((?: \\d+)+)");
    private static final Pattern TRUNCATED_OIDS = Pattern.compile("relids ([\\d ]+)");

    public DiscardedWrites {
        relations = List.copyOf(relations);
    }

    public long bytes() {
        return to.minus(from);
    }

    /** True when the old primary wrote nothing after the divergence point (a clean switchover's old primary). */
    public boolean nothing() {
        return unreadable.isEmpty() && bytes() == 0;
    }

    /** A range whose WAL could not be read: what is known is where it starts. */
    public static DiscardedWrites unreadable(Lsn from, String why) {
        return new DiscardedWrites(from, from, 0, List.of(), 0, Optional.of(why));
    }

    /**
     * Summarises pg_waldump's reading of the old primary's WAL from {@code from} to its end; {@code names} resolves
     * a file node to {@code schema.table} on the new primary.
     */
    public static DiscardedWrites summarise(Lsn from, WalDump dump, ControlData control,
                                            Function<RelFileNode, Optional<String>> names) {
        switch (dump.reading()) {
            case NOTHING_AFTER_START:
                return new DiscardedWrites(from, from, 0, List.of(), 0, Optional.empty());
            case UNREADABLE:
                return unreadable(from, dump.error().isEmpty() ? "pg_waldump printed nothing" : dump.error());
            default:
                break;
        }
        Map<Long, List<Change>> byTransaction = new LinkedHashMap<>();
        Set<Long> committed = new HashSet<>();
        Set<Long> ended = new HashSet<>();
        int commits = 0;
        for (WalDump.Record record : dump.records()) {
            if ("Transaction".equals(record.rmgr())) {
                String operation = record.operation();
                if (operation.startsWith("COMMIT") || operation.startsWith("ABORT")) {
                    List<Long> xids = transactionAndChildren(record);
                    ended.addAll(xids);
                    if (operation.startsWith("COMMIT")) {
                        committed.addAll(xids);
                        commits++;
                    }
                }
                continue;
            }
            changeOf(record).ifPresent(change -> byTransaction.computeIfAbsent(record.xid(), xid -> new ArrayList<>()).add(change));
        }
        Map<String, RelationWrites> relations = new LinkedHashMap<>();
        long uncommitted = 0;
        for (Map.Entry<Long, List<Change>> transaction : byTransaction.entrySet()) {
            for (Change change : transaction.getValue()) {
                if (committed.contains(transaction.getKey())) {
                    RelationWrites writes = relations.get(change.relationKey);
                    if (writes == null) {
                        // Resolved once per relation: each name is a query on the new primary.
                        writes = new RelationWrites(change.fileNode.flatMap(names).orElse(change.relationKey), change.fileNode, 0, 0, 0, 0);
                    }
                    relations.put(change.relationKey, writes.plus(change));
                } else if (!ended.contains(transaction.getKey())) {
                    uncommitted += change.inserted + change.updated + change.deleted + change.truncated;
                }
            }
        }
        Lsn to = dump.end(control.walBlockSize(), control.walSegmentSize()).orElse(from);
        List<RelationWrites> sorted = relations.values().stream().sorted(Comparator.comparing(RelationWrites::relation)).toList();
        return new DiscardedWrites(from, to, commits, sorted, uncommitted, Optional.empty());
    }

    private static List<Long> transactionAndChildren(WalDump.Record record) {
        List<Long> xids = new ArrayList<>();
        xids.add(record.xid());
        Matcher children = SUBTRANSACTIONS.matcher(record.description());
        if (children.find()) {
            for (String xid : children.group(1).trim().split(" ")) {
                xids.add(Long.parseLong(xid));
            }
        }
        return xids;
    }

    private static Optional<Change> changeOf(WalDump.Record record) {
        String operation = record.operation();
        Optional<RelFileNode> node = record.relation();
        String key = node.map(RelFileNode::toString).orElse("");
        if ("Heap".equals(record.rmgr())) {
            switch (operation) {
                case "INSERT":
                    return Optional.of(new Change(key, node, 1, 0, 0, 0));
                case "UPDATE":
                case "HOT_UPDATE":
                    return Optional.of(new Change(key, node, 0, 1, 0, 0));
                case "DELETE":
                    return Optional.of(new Change(key, node, 0, 0, 1, 0));
                case "TRUNCATE":
                    // TRUNCATE names relation OIDs, not file nodes: they cannot be resolved the same way.
                    Matcher oids = TRUNCATED_OIDS.matcher(record.description());
                    return Optional.of(new Change("relation oids " + (oids.find() ? oids.group(1).trim() : "?"),
                            Optional.empty(), 0, 0, 0, 1));
                default:
                    return Optional.empty();
            }
        }
        if ("Heap2".equals(record.rmgr()) && "MULTI_INSERT".equals(operation)) {
            Matcher tuples = TUPLES.matcher(record.description());
            return Optional.of(new Change(key, node, tuples.find() ? Long.parseLong(tuples.group(1)) : 1, 0, 0, 0));
        }
        return Optional.empty();
    }
}
