package dev.drpilot.config;

import java.time.Duration;
import java.util.Optional;

/**
 * Where a component's backup status comes from. {@code report-only}: the backup job reports its
 * own outcome ({@code drpilot emit backup} or the HTTP API) and nothing is polled.
 *
 * @param restoreCheck how the backups are proven restorable, when they are
 * @param archiveCheck a command that prints the tool's verdict on the WAL archive, run with the listing (WAL-G:
 *                     {@code wal-g wal-verify integrity timeline --json}); pgBackRest's {@code info} lists the archive itself
 */
public record BackupSource(String component, Tool tool, Optional<String> command, Optional<String> stanza,
                           Duration interval, Duration timeout, Optional<RestoreCheckSettings> restoreCheck,
                           Optional<String> archiveCheck) {

    public BackupSource(String component, Tool tool, Optional<String> command, Optional<String> stanza,
                        Duration interval, Duration timeout, Optional<RestoreCheckSettings> restoreCheck) {
        this(component, tool, command, stanza, interval, timeout, restoreCheck, Optional.empty());
    }

    public enum Tool {
        WAL_G("wal-g backup-list --detail --json"),
        PGBACKREST("pgbackrest info --output=json"),
        REPORT_ONLY(null);

        private final String defaultCommand;

        Tool(String defaultCommand) {
            this.defaultCommand = defaultCommand;
        }

        public Optional<String> defaultCommand() {
            return Optional.ofNullable(defaultCommand);
        }
    }
}
