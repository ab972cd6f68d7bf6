package dev.drpilot.agent.rejoin;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One WAL record as pg_waldump prints it: resource manager, total length, transaction, location, what it did. */
public record WalRecord(String rmgr, int totalLength, long xid, Lsn lsn, String description, Optional<RelFileNode> relation) {

    // Heap records name their relation in "blkref #0: rel T/D/R"; Heap TRUNCATE names relation OIDs instead.
    private static final Pattern LINE = Pattern.compile(
            "^rmgr: (\\S+)\\s+len \\(rec/tot\\):\\s*\\d+/\\s*(\\d+), tx:\\s*(\\d+), lsn: ([0-9A-F]+/[0-9A-F]+), prev [0-9A-F]+/[0-9A-F]+, desc: (.*)$");
    private static final Pattern BLOCK_REF = Pattern.compile("blkref #0: rel (\\d+/\\d+/\\d+)");
    private static final int SHORT_PAGE_HEADER = 24;
    private static final int LONG_PAGE_HEADER = 40;
    private static final int MAXALIGN = 8;

    /** A line of pg_waldump's standard output; empty for anything that is not a record. */
    public static Optional<WalRecord> parse(String line) {
        Matcher matcher = LINE.matcher(line.strip());
        if (!matcher.matches()) {
            return Optional.empty();
        }
        String description = matcher.group(5).strip();
        Matcher block = BLOCK_REF.matcher(description);
        Optional<RelFileNode> relation = block.find() ? Optional.of(RelFileNode.parse(block.group(1))) : Optional.empty();
        return Optional.of(new WalRecord(matcher.group(1), Integer.parseInt(matcher.group(2)), Long.parseLong(matcher.group(3)),
                Lsn.parse(matcher.group(4)), description, relation));
    }

    /** The first word of the description without its flags: {@code INSERT+INIT off 1} is {@code INSERT}. */
    public String operation() {
        String word = description.split("[\\s,]", 2)[0];
        int plus = word.indexOf('+');
        return plus > 0 ? word.substring(0, plus) : word;
    }

    /** Where the next record starts: the end of the WAL when this is the last record. */
    public Lsn end(int walBlockSize, long walSegmentSize) {
        return endOf(lsn, totalLength, walBlockSize, walSegmentSize);
    }

    /**
     * The location just after a record of {@code totalLength} bytes starting at {@code start}, as PostgreSQL's WAL
     * reader computes it: a record crossing a page continues after the next page's header (a long one at the start
     * of a segment), and the next record starts at an 8-byte boundary.
     */
    static Lsn endOf(Lsn start, int totalLength, int blockSize, long segmentSize) {
        long position = start.value();
        long remaining = totalLength;
        long leftOnPage = blockSize - position % blockSize;
        if (remaining <= leftOnPage) {
            position += remaining;
        } else {
            remaining -= leftOnPage;
            position += leftOnPage;
            while (remaining > 0) {
                int header = position % segmentSize == 0 ? LONG_PAGE_HEADER : SHORT_PAGE_HEADER;
                long chunk = Math.min(remaining, blockSize - header);
                position += header + chunk;
                remaining -= chunk;
            }
        }
        return new Lsn((position + MAXALIGN - 1) & -MAXALIGN);
    }
}
