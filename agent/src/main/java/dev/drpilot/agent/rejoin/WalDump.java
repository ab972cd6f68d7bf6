package dev.drpilot.agent.rejoin;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The records {@code pg_waldump} printed for a WAL range, and how its reading ended. pg_waldump reads until the
 * WAL stops making sense — that is how the end of a crashed server's WAL shows — so an error after records is
 * the normal end; an error before any record is either "nothing there" or "could not read".
 */
public record WalDump(List<Record> records, String error) {

    /** One WAL record: its resource manager, total length, transaction, location and what it did. */
    public record Record(String rmgr, int totalLength, long xid, Lsn lsn, String description, Optional<RelFileNode> relation) {

        /** The first word of the description without its flags: {@code INSERT+INIT off 1} is {@code INSERT}. */
        public String operation() {
            String word = description.split("[\\s,]", 2)[0];
            int plus = word.indexOf('+');
            return plus > 0 ? word.substring(0, plus) : word;
        }
    }

    /** How a pg_waldump run over a range ended. */
    public enum Reading {
        /** Records were read up to the end of the WAL. */
        RECORDS,
        /** No record at or after the start: nothing was written there (a clean switchover's old primary). */
        NOTHING_AFTER_START,
        /** pg_waldump could not read the range (a missing segment, a wrong timeline). */
        UNREADABLE
    }

    // Heap records name their relation in "blkref #0: rel T/D/R"; Heap TRUNCATE names relation OIDs instead.
    private static final Pattern LINE = Pattern.compile(
            "^rmgr: (\\S+)\\s+len \\(rec/tot\\):\\s*\\d+/\\s*(\\d+), tx:\\s*(\\d+), lsn: ([0-9A-F]+/[0-9A-F]+), prev [0-9A-F]+/[0-9A-F]+, desc: (.*)$");
    private static final Pattern BLOCK_REF = Pattern.compile("blkref #0: rel (\\d+/\\d+/\\d+)");
    private static final String NOTHING = "could not find a valid record after";
    private static final int SHORT_PAGE_HEADER = 24;
    private static final int LONG_PAGE_HEADER = 40;
    private static final int MAXALIGN = 8;

    public WalDump {
        records = List.copyOf(records);
    }

    /** Parses pg_waldump's standard output (records) and standard error (how it stopped). */
    public static WalDump parse(String stdout, String stderr) {
        List<Record> records = new ArrayList<>();
        for (String line : stdout.split("\n")) {
            Matcher matcher = LINE.matcher(line.strip());
            if (matcher.matches()) {
                String description = matcher.group(5);
                Matcher block = BLOCK_REF.matcher(description);
                Optional<RelFileNode> relation = block.find() ? Optional.of(RelFileNode.parse(block.group(1))) : Optional.empty();
                records.add(new Record(matcher.group(1), Integer.parseInt(matcher.group(2)), Long.parseLong(matcher.group(3)),
                        Lsn.parse(matcher.group(4)), description.strip(), relation));
            }
        }
        return new WalDump(records, stderr.strip());
    }

    public Reading reading() {
        if (!records.isEmpty()) {
            return Reading.RECORDS;
        }
        return error.contains(NOTHING) ? Reading.NOTHING_AFTER_START : Reading.UNREADABLE;
    }

    /** Where the WAL ends: just after the last record read; empty when no record was read. */
    public Optional<Lsn> end(int walBlockSize, long walSegmentSize) {
        if (records.isEmpty()) {
            return Optional.empty();
        }
        Record last = records.get(records.size() - 1);
        return Optional.of(endOf(last.lsn(), last.totalLength(), walBlockSize, walSegmentSize));
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
