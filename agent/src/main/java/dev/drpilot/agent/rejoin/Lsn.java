package dev.drpilot.agent.rejoin;

import java.util.Locale;

/** A WAL location ({@code pg_lsn}), written as PostgreSQL writes it: {@code 0/3020E90}. */
public record Lsn(long value) implements Comparable<Lsn> {

    public static Lsn parse(String text) {
        int slash = text.indexOf('/');
        if (slash < 1 || slash == text.length() - 1) {
            throw new IllegalArgumentException("not a WAL location (expected HI/LO in hex): " + text);
        }
        try {
            long high = Long.parseLong(text.substring(0, slash).trim(), 16);
            long low = Long.parseLong(text.substring(slash + 1).trim(), 16);
            return new Lsn((high << 32) | low);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a WAL location (expected HI/LO in hex): " + text, e);
        }
    }

    /** Bytes from {@code earlier} to this location (negative when this one is earlier). */
    public long minus(Lsn earlier) {
        return value - earlier.value;
    }

    public Lsn plus(long bytes) {
        return new Lsn(value + bytes);
    }

    @Override
    public int compareTo(Lsn other) {
        return Long.compareUnsigned(value, other.value);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%X/%X", value >>> 32, value & 0xFFFFFFFFL);
    }
}
