package dev.drpilot.recovery;

import dev.drpilot.config.BackupSource;
import dev.drpilot.config.RestoreCheckSettings;
import dev.drpilot.events.BackupTool;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A backup tool as a restore check drives it: the commands that put the newest backup into an
 * empty directory, and the recovery settings the restored server then needs to reach the target.
 * pgBackRest and WAL-G differ only here; everything after (start, wait, query, stop) is shared.
 */
public interface BackupRestorer {
    // PostgreSQL's own timestamp input, unambiguous in every DateStyle.
    DateTimeFormatter POSTGRES_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSSx").withZone(ZoneOffset.UTC);

    BackupTool tool();

    /**
     * The command that lists the backups, when the tool must be told which backup can reach {@code target}
     * (the newest one may have ended after a time target); empty when the tool chooses by itself.
     */
    default Optional<Command> listBackups(RestoreTarget target) {
        return Optional.empty();
    }

    /**
     * The backup to restore for {@code target}, read from {@link #listBackups}' output.
     *
     * @throws IllegalStateException when no backup can reach the target, or the listing cannot be read
     */
    default String choose(String listing, RestoreTarget target) {
        throw new IllegalStateException(tool() + " chooses its backup itself");
    }

    /** Commands run in order, as the server's OS user, to fill {@code dataDirectory} with {@code backup} (empty: the newest). */
    List<Command> restore(Path dataDirectory, RestoreTarget target, Optional<String> backup);

    /** Settings appended to the restored server's postgresql.auto.conf for recovery (beyond what the tool writes). */
    Map<String, String> recoverySettings(RestoreTarget target);

    /** The backup the restore took, as the tool's output names it. */
    Optional<String> backupName(String restoreOutput);

    static Optional<String> firstMatch(Pattern pattern, String text) {
        Matcher matcher = pattern.matcher(text);
        return matcher.find() ? Optional.of(matcher.group(1)) : Optional.empty();
    }

    static String postgresTime(Instant time) {
        return POSTGRES_TIME.format(time);
    }

    /** The restorer for a configured backup source; only tools that can restore have one. */
    static BackupRestorer of(BackupSource source, RestoreCheckSettings settings) {
        return switch (source.tool()) {
            case PGBACKREST -> new PgBackRestRestorer(source.stanza().orElseThrow(), settings.environment());
            case WAL_G -> new WalGRestorer(settings.environment());
            case REPORT_ONLY -> throw new IllegalArgumentException("backups of component " + source.component()
                    + " are report-only: there is no tool to restore them with");
        };
    }
}
