package dev.drpilot.config;

import java.time.Duration;
import java.util.Optional;

/**
 * Where a component's backup status comes from. {@code report-only}: the backup job reports its
 * own outcome ({@code drpilot emit backup} or the HTTP API) and nothing is polled.
 *
 * @param restoreCheck how the backups are proven restorable, when they are
 */
public record BackupSource(String component, Tool tool, Optional<String> command, Optional<String> stanza,
                           Duration interval, Duration timeout, Optional<RestoreCheckSettings> restoreCheck) {

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
