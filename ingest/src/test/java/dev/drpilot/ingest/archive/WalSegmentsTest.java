package dev.drpilot.ingest.archive;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class WalSegmentsTest {
    private static final long MIB_16 = 16L << 20;

    @ParameterizedTest(name = "{0} with {1}-byte segments ends at {2}")
    @CsvSource(nullValues = "none", value = {
            // Seen on PostgreSQL 15: after pg_switch_wal() past ...01, pg_current_wal_lsn() is 0/2000000.
            "000000010000000000000001, 16777216, 33554432",
            "000000010000000000000000, 16777216, 16777216",
            "0000000200000001000000FF, 16777216, 8589934592",   // the last 16 MiB segment of the second 4 GiB
            "000000010000000000000003, 1048576, 4194304",
            "00000002.history, 16777216, none",
            "000000010000000000000002.00000028.backup, 16777216, none",
            "000000010000000000000005.partial, 16777216, none",
            "0000000100000000000001000, 16777216, none",
            "000000010000000000000100, 16777216, none",          // 0x100 segments of 16 MiB do not fit in 4 GiB
            "00000001000000000000000g, 16777216, none",
            "000000010000000000000001, 0, none"})
    void theEndOfASegmentIsWhereTheNextOneStarts(String walFile, long segmentSize, Long end) {
        assertThat(WalSegments.endOf(walFile, segmentSize)).isEqualTo(Optional.ofNullable(end));
    }

    @ParameterizedTest(name = "{0} lies in the segment starting at {1}")
    @CsvSource({"0, 0", "16777215, 0", "16777216, 16777216", "33554472, 33554432"})
    void aPositionOnABoundaryStartsTheNextSegment(long lsn, long start) {
        assertThat(WalSegments.segmentStart(lsn, MIB_16)).isEqualTo(start);
    }
}
