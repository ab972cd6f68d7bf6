package dev.drpilot.config;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.BitSet;

/**
 * When something runs on its own: {@code every 6h} (an interval, counted from the previous run) or
 * a five-field cron expression in UTC ({@code minute hour day-of-month month day-of-week}, with
 * {@code *}, lists, ranges and {@code /step}; day-of-week 0 or 7 is Sunday).
 */
public sealed interface Schedule {

    /** The first run strictly after {@code after}. */
    Instant next(Instant after);

    /**
     * The longest wait between two runs, for "no run within this long" checks. For cron, the
     * longest gap found over a year of runs (leap days and short months included).
     */
    Duration longestGap();

    String text();

    /** @throws IllegalArgumentException with the message the configuration reports */
    static Schedule parse(String text) {
        String trimmed = text == null ? "" : text.trim();
        if (trimmed.startsWith("every ")) {
            Duration interval;
            try {
                interval = Durations.parse(trimmed.substring("every ".length()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("\"" + text + "\": " + e.getMessage());
            }
            if (interval.compareTo(Duration.ofMinutes(1)) < 0) {
                throw new IllegalArgumentException("\"" + text + "\": the interval must be at least 1m");
            }
            return new Every(trimmed, interval);
        }
        return Cron.parse(trimmed);
    }

    record Every(String text, Duration interval) implements Schedule {
        @Override
        public Instant next(Instant after) {
            return after.plus(interval);
        }

        @Override
        public Duration longestGap() {
            return interval;
        }
    }

    record Cron(String text, BitSet minutes, BitSet hours, BitSet days, BitSet months, BitSet weekdays,
                boolean anyDay, boolean anyWeekday) implements Schedule {
        private static final String USAGE = " (use five fields: minute hour day-of-month month day-of-week, e.g. \"0 3 * * 0\", or \"every 24h\")";

        static Cron parse(String text) {
            String[] fields = text.split("\\s+");
            if (fields.length != 5 || text.isEmpty()) {
                throw new IllegalArgumentException("\"" + text + "\" is not a schedule" + USAGE);
            }
            BitSet weekdays = field(text, fields[4], 0, 7, "day-of-week");
            if (weekdays.get(7)) {
                weekdays.set(0);
                weekdays.clear(7);
            }
            return new Cron(text, field(text, fields[0], 0, 59, "minute"), field(text, fields[1], 0, 23, "hour"),
                    field(text, fields[2], 1, 31, "day-of-month"), field(text, fields[3], 1, 12, "month"), weekdays,
                    fields[2].equals("*"), fields[4].equals("*"));
        }

        private static BitSet field(String text, String field, int min, int max, String name) {
            BitSet values = new BitSet();
            for (String part : field.split(",", -1)) {
                String range = part;
                int step = 1;
                int slash = part.indexOf('/');
                try {
                    if (slash >= 0) {
                        range = part.substring(0, slash);
                        step = Integer.parseInt(part.substring(slash + 1));
                    }
                    int from;
                    int to;
                    if (range.equals("*")) {
                        from = min;
                        to = max;
                    } else if (range.contains("-")) {
                        from = Integer.parseInt(range.substring(0, range.indexOf('-')));
                        to = Integer.parseInt(range.substring(range.indexOf('-') + 1));
                    } else {
                        from = Integer.parseInt(range);
                        to = slash >= 0 ? max : from;
                    }
                    if (from < min || to > max || from > to || step < 1) {
                        throw new IllegalArgumentException("\"" + text + "\": " + name + " \"" + part + "\" is outside " + min + "-" + max);
                    }
                    for (int value = from; value <= to; value += step) {
                        values.set(value);
                    }
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("\"" + text + "\": " + name + " \"" + part + "\" is not a number, range or step" + USAGE);
                }
            }
            return values;
        }

        @Override
        public Instant next(Instant after) {
            ZonedDateTime time = after.atZone(ZoneOffset.UTC).truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
            ZonedDateTime limit = time.plusYears(5);
            while (time.isBefore(limit)) {
                if (!months.get(time.getMonthValue())) {
                    time = time.plusMonths(1).withDayOfMonth(1).truncatedTo(ChronoUnit.DAYS);
                } else if (!dayMatches(time)) {
                    time = time.plusDays(1).truncatedTo(ChronoUnit.DAYS);
                } else if (!hours.get(time.getHour())) {
                    time = time.plusHours(1).truncatedTo(ChronoUnit.HOURS);
                } else if (!minutes.get(time.getMinute())) {
                    time = time.plusMinutes(1);
                } else {
                    return time.toInstant();
                }
            }
            throw new IllegalStateException("\"" + text + "\" never runs");
        }

        // Cron's rule: when both day fields are restricted, a day matching either runs.
        private boolean dayMatches(ZonedDateTime time) {
            boolean day = days.get(time.getDayOfMonth());
            boolean weekday = weekdays.get(time.getDayOfWeek().getValue() % 7);
            if (anyDay) {
                return weekday;
            }
            if (anyWeekday) {
                return day;
            }
            return day || weekday;
        }

        @Override
        public Duration longestGap() {
            Instant run = next(Instant.parse("2027-12-31T00:00:00Z"));
            Instant end = run.plus(Duration.ofDays(366 * 4));
            Duration longest = Duration.ZERO;
            int runs = 0;
            while (run.isBefore(end) && runs < 10_000) {
                Instant following = next(run);
                Duration gap = Duration.between(run, following);
                if (gap.compareTo(longest) > 0) {
                    longest = gap;
                }
                run = following;
                runs++;
            }
            return longest;
        }
    }
}
