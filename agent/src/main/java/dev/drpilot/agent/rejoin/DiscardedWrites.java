package dev.drpilot.agent.rejoin;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The writes the old primary took that no replica had: its WAL from the divergence point to its end, summarised
 * ({@link WalSummary}) per relation (rows inserted, updated, deleted, truncations) for the transactions that committed — a transaction
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
}
