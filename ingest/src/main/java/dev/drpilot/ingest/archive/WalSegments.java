package dev.drpilot.ingest.archive;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * WAL file names and positions. A segment is named TTTTTTTTXXXXXXXXYYYYYYYY: timeline, then the high 32 bits of its
 * start position, then its number within that 4 GiB; {@code last_archived_wal} also names history files
 * ({@code 00000002.history}), backup labels ({@code ...00000028.backup}) and partial segments ({@code ....partial}),
 * which say nothing about how far the archive reaches.
 */
final class WalSegments {
    private static final Pattern SEGMENT = Pattern.compile("[0-9A-F]{24}");
    private static final long FOUR_GIB = 0x1_0000_0000L;

    private WalSegments() {
    }

    /** The position right after the segment's last byte: everything before it is in the archive once it is archived. */
    static Optional<Long> endOf(String walFile, long segmentSize) {
        if (walFile == null || !SEGMENT.matcher(walFile).matches() || segmentSize <= 0 || FOUR_GIB % segmentSize != 0) {
            return Optional.empty();
        }
        long high = Long.parseLong(walFile.substring(8, 16), 16);
        long number = Long.parseLong(walFile.substring(16, 24), 16);
        if (number >= FOUR_GIB / segmentSize) {
            return Optional.empty();
        }
        return Optional.of(high * FOUR_GIB + (number + 1) * segmentSize);
    }

    /** The start of the segment that holds {@code lsn} (a position on a boundary starts the next segment). */
    static long segmentStart(long lsn, long segmentSize) {
        return lsn - Math.floorMod(lsn, segmentSize);
    }
}
