package dev.drpilot.recovery;

import dev.drpilot.events.BackupTool;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * WAL-G fetches a base backup — for a time target the newest that finished by then (from {@code backup-list},
 * since {@code LATEST} may have ended after the target, which recovery could never reach), else {@code LATEST};
 * recovery then fetches WAL through {@code restore_command}.
 * Unlike pgBackRest it writes no recovery settings, so they come from here; the storage location
 * and credentials ({@code WALG_*}, {@code AWS_*}) come from the check's environment, which the
 * restored server inherits for its {@code restore_command}.
 */
final class WalGRestorer implements BackupRestorer {
    // backup-fetch logs "LATEST backup is: 'base_000000010000000000000004'".
    private static final Pattern LATEST = Pattern.compile("backup is: '([^']+)'");

    private final Map<String, String> environment;

    WalGRestorer(Map<String, String> environment) {
        this.environment = environment;
    }

    @Override
    public BackupTool tool() {
        return BackupTool.WAL_G;
    }

    @Override
    public Optional<Command> listBackups(RestoreTarget target) {
        return target.time().map(time -> new Command("wal-g backup-list", List.of("wal-g", "backup-list", "--detail", "--json"), environment));
    }

    @Override
    public String choose(String listing, RestoreTarget target) {
        return WalGBackups.newestFinishedBy(listing, target.time().orElseThrow());
    }

    @Override
    public List<Command> restore(Path dataDirectory, RestoreTarget target, Optional<String> backup) {
        return List.of(new Command("wal-g backup-fetch", List.of("wal-g", "backup-fetch", dataDirectory.toString(), backup.orElse("LATEST")),
                environment),
                new Command("recovery.signal", List.of("touch", dataDirectory.resolve("recovery.signal").toString())));
    }

    @Override
    public Optional<String> backupName(String restoreOutput) {
        return BackupRestorer.firstMatch(LATEST, restoreOutput);
    }

    @Override
    public Map<String, String> recoverySettings(RestoreTarget target) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("restore_command", "wal-g wal-fetch %f %p");
        target.time().ifPresent(time -> {
            settings.put("recovery_target_time", BackupRestorer.postgresTime(time));
            settings.put("recovery_target_action", "promote");
        });
        return settings;
    }
}
