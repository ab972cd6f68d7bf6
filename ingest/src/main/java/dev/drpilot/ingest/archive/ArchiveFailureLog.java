package dev.drpilot.ingest.archive;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What the server log says about a failing {@code archive_command}: PostgreSQL reports the command's exit status only
 * there ({@code LOG:  archive command failed with exit code 3}, then {@code DETAIL:  The failed archive command was: ...}),
 * never in {@code pg_stat_archiver}. Read where the collector's role may read the log; otherwise {@code unread} says why,
 * so that the alert can say where to look instead.
 *
 * @param file    the log file read ({@code pg_current_logfile()}), when known
 * @param message the newest "archive command failed ..." line
 * @param detail  its DETAIL line, naming the command that failed
 * @param unread  why the log was not read, when it was not
 */
public record ArchiveFailureLog(Optional<String> file, Optional<String> message, Optional<String> detail, Optional<String> unread) {
    // The archiver's messages for a command that failed, was killed by a signal or exited strangely (pgarch.c). They are
    // translated under lc_messages other than English; then nothing matches and the alert says where to look.
    private static final Pattern FAILURE = Pattern.compile("archive command (failed with exit code|was terminated by|exited with unrecognized status)");
    private static final String DETAIL = "The failed archive command was:";
    private static final int MAX_LINE = 1_000;

    public static ArchiveFailureLog notRead(Optional<String> file, String why) {
        return new ArchiveFailureLog(file, Optional.empty(), Optional.empty(), Optional.of(why));
    }

    /** The newest failure in the tail of the log {@code file}; "not in the log" when the tail holds none. */
    public static ArchiveFailureLog parse(String file, String tail) {
        List<String> lines = tail.lines().toList();
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (FAILURE.matcher(lines.get(i)).find()) {
                Optional<String> detail = Optional.empty();
                // The DETAIL follows its message, possibly after lines other processes wrote in between.
                for (int j = i + 1; j < lines.size() && j <= i + 20; j++) {
                    if (lines.get(j).contains(DETAIL)) {
                        detail = Optional.of(shorten(lines.get(j)));
                        break;
                    }
                }
                return new ArchiveFailureLog(Optional.of(file), Optional.of(shorten(lines.get(i))), detail, Optional.empty());
            }
        }
        return notRead(Optional.of(file), "no \"archive command failed\" line in the last " + tail.length() + " bytes of " + file);
    }

    private static String shorten(String line) {
        String trimmed = line.strip();
        return trimmed.length() <= MAX_LINE ? trimmed : trimmed.substring(0, MAX_LINE) + "...";
    }
}
