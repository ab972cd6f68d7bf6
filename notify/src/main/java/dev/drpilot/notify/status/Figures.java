package dev.drpilot.notify.status;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** How the page prints figures: short, and the same wherever they appear. */
public final class Figures {
    private Figures() {
    }

    /** {@code 95.0 s}, {@code 14 min 30 s}, {@code 2 h 5 min}, {@code 3 d 4 h}. */
    public static String duration(double seconds) {
        if (seconds < 0) {
            // Clocks of collectors and actuator disagree a little: a point "in the future" is as fresh as it gets.
            seconds = 0;
        }
        if (seconds < 120) {
            return String.format(Locale.ROOT, "%.1f s", seconds);
        }
        long whole = (long) seconds;
        if (whole < 7200) {
            return pair(whole / 60, "min", whole % 60, "s");
        }
        if (whole < 2 * 86400) {
            return pair(whole / 3600, "h", whole % 3600 / 60, "min");
        }
        return pair(whole / 86400, "d", whole % 86400 / 3600, "h");
    }

    public static String duration(Duration duration) {
        return duration(duration.toMillis() / 1000.0);
    }

    /** A configured target: {@code 15 min}, {@code 1 h}, {@code 30 s}. */
    public static String target(Duration target) {
        long seconds = target.toSeconds();
        if (seconds % 3600 == 0) {
            return seconds / 3600 + " h";
        }
        if (seconds % 60 == 0) {
            return seconds / 60 + " min";
        }
        return duration(target);
    }

    private static String pair(long big, String bigUnit, long small, String smallUnit) {
        return small == 0 ? big + " " + bigUnit : big + " " + bigUnit + " " + small + " " + smallUnit;
    }

    public static String bytes(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }

    /** A replica's lag, {@code 95.0 s / 1.0 MiB}, either half alone, or {@code no measurement}. */
    public static String lag(Double seconds, Long bytes) {
        List<String> parts = new ArrayList<>();
        if (seconds != null) {
            parts.add(duration(seconds));
        }
        if (bytes != null) {
            parts.add(bytes(bytes));
        }
        return parts.isEmpty() ? "no measurement" : String.join(" / ", parts);
    }

    /** {@code 2026-11-24 03:00:00Z}: UTC, to the second, as operators compare it with logs. */
    public static String time(Instant instant) {
        return instant.truncatedTo(ChronoUnit.SECONDS).toString().replace('T', ' ');
    }

    /** {@code 2026-11-24 03:00:00Z (2 h 5 min ago)}. */
    public static String timeAndAge(Instant instant, Instant now) {
        return time(instant) + " (" + duration(Duration.between(instant, now)) + " ago)";
    }
}
