package dev.drpilot.recovery;

import dev.drpilot.events.BackupTool;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * pgBackRest restores and writes the recovery settings itself ({@code restore_command}, the target,
 * {@code recovery.signal}); it picks the newest backup that ends before a time target.
 * {@code --archive-mode=off}: the restored server must never push its own WAL into the repository
 * the real cluster archives to.
 */
final class PgBackRestRestorer implements BackupRestorer {
    // "INFO: repo1: restore backup set 20261201-035218F, recovery will start at ..."
    private static final Pattern BACKUP_SET = Pattern.compile("restore backup set (\\S+?),?\\s");

    private final String stanza;
    private final Map<String, String> environment;

    PgBackRestRestorer(String stanza, Map<String, String> environment) {
        this.stanza = stanza;
        this.environment = environment;
    }

    @Override
    public BackupTool tool() {
        return BackupTool.PGBACKREST;
    }

    @Override
    public List<Command> restore(Path dataDirectory, RestoreTarget target, Optional<String> backup) {
        List<String> arguments = new ArrayList<>(List.of("pgbackrest", "--stanza=" + stanza, "--pg1-path=" + dataDirectory,
                "--archive-mode=off", "--log-level-console=info"));
        target.time().ifPresent(time -> arguments.addAll(List.of("--type=time", "--target=" + BackupRestorer.postgresTime(time),
                "--target-action=promote")));
        backup.ifPresent(name -> arguments.add("--set=" + name));
        arguments.add("restore");
        return List.of(new Command("pgbackrest restore", arguments, environment));
    }

    @Override
    public Optional<String> backupName(String restoreOutput) {
        return BackupRestorer.firstMatch(BACKUP_SET, restoreOutput);
    }

    @Override
    public Map<String, String> recoverySettings(RestoreTarget target) {
        return Map.of();
    }
}
