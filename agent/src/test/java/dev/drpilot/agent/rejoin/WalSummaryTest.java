package dev.drpilot.agent.rejoin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drpilot.agent.rejoin.DiscardedWrites.RelationWrites;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class WalSummaryTest {
    private static final ControlData CONTROL = ControlData.parse(Fixtures.read("controldata-crashed-primary.txt"));
    private static final Lsn DIVERGENCE = Lsn.parse("0/3000000");
    private static final Map<RelFileNode, String> NEW_PRIMARY = Map.of(
            new RelFileNode(1663, 5, 16384), "public.t",
            new RelFileNode(1663, 5, 1247), "pg_catalog.pg_type");
    private static final Function<RelFileNode, Optional<String>> NAMES = node -> Optional.ofNullable(NEW_PRIMARY.get(node));

    @Test
    void theOldPrimarysCommittedWritesPerRelationNamedThroughTheNewPrimary() {
        // One transaction on the old primary after the promotion: 5 inserts, 2 updates and a delete on t,
        // CREATE TABLE t2 (catalog rows) and an insert into it; then pg_ctl -m immediate stop.
        DiscardedWrites discarded = summarise(DIVERGENCE, Fixtures.read("waldump-diverged.stdout"), Fixtures.read("waldump-diverged.stderr"));

        assertThat(discarded.from()).isEqualTo(DIVERGENCE);
        assertThat(discarded.to()).isEqualTo(Lsn.parse("0/3020E90"));
        assertThat(discarded.bytes()).isEqualTo(0x20E90);
        assertThat(discarded.committedTransactions()).isEqualTo(1);
        assertThat(discarded.uncommittedChanges()).isZero();
        assertThat(discarded.nothing()).isFalse();
        assertThat(discarded.relations()).extracting(RelationWrites::toString).containsExactly(
                // t2 was created after the divergence: the new primary has no such relation, so its file node stands.
                "1663/5/1249 7 inserted",
                "1663/5/1259 1 inserted",
                "1663/5/16391 1 inserted",
                "1663/5/2608 3 inserted",
                "pg_catalog.pg_type 2 inserted",
                "public.t 5 inserted, 2 updated, 1 deleted");
    }

    @Test
    void changesOfATransactionThatNeverCommittedAreCountedApart() {
        String open = String.join("\n",
                "rmgr: Heap        len (rec/tot):     61/    61, tx:        900, lsn: 0/030068B8, prev 0/03006778, desc: INSERT off 12 flags 0x00, blkref #0: rel 1663/5/16384 blk 0",
                "rmgr: Heap        len (rec/tot):     61/    61, tx:        901, lsn: 0/030068F8, prev 0/030068B8, desc: INSERT off 13 flags 0x00, blkref #0: rel 1663/5/16384 blk 0",
                "rmgr: Heap        len (rec/tot):     61/    61, tx:        902, lsn: 0/03006938, prev 0/030068F8, desc: DELETE off 4 flags 0x00 KEYS_UPDATED , blkref #0: rel 1663/5/16384 blk 0",
                "rmgr: Transaction len (rec/tot):     34/    34, tx:        901, lsn: 0/03006978, prev 0/03006938, desc: ABORT 2026-12-01 03:09:38.343600 UTC",
                "rmgr: Transaction len (rec/tot):     38/    38, tx:        899, lsn: 0/030069A0, prev 0/03006978, desc: COMMIT 2026-12-01 03:09:38.343600 UTC; subxacts: 902",
                "");

        DiscardedWrites discarded = summarise(DIVERGENCE, open, "pg_waldump: error: error in WAL record");

        assertThat(discarded.relations()).extracting(RelationWrites::toString).containsExactly("public.t 1 deleted");
        assertThat(discarded.uncommittedChanges()).as("900 never ended; 901 aborted").isEqualTo(1);
        assertThat(discarded.committedTransactions()).isEqualTo(1);
        assertThat(discarded.to()).isEqualTo(Lsn.parse("0/30069C8"));
    }

    @Test
    void nothingAfterTheSwitchPointIsAnEmptyRange() {
        Lsn switchPoint = Lsn.parse("0/30000A0");

        DiscardedWrites discarded = summarise(switchPoint, "", Fixtures.read("waldump-clean.stderr"));

        assertThat(discarded.nothing()).isTrue();
        assertThat(discarded.bytes()).isZero();
        assertThat(discarded.relations()).isEmpty();
    }

    @Test
    void anUnreadableRangeSaysWhy() {
        DiscardedWrites discarded = summarise(DIVERGENCE, "", "pg_waldump: error: could not find file \"000000010000000000000003\"");

        assertThat(discarded.nothing()).isFalse();
        assertThat(discarded.unreadable()).hasValueSatisfying(why -> assertThat(why).contains("could not find file"));
    }

    private static DiscardedWrites summarise(Lsn from, String stdout, String stderr) {
        WalSummary summary = new WalSummary();
        stdout.lines().forEach(summary::accept);
        return summary.finish(from, stderr, CONTROL, NAMES);
    }
}
