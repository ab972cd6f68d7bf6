package dev.drpilot.recovery;

import dev.drpilot.config.BackupSource;
import dev.drpilot.config.ConfigLoader;
import dev.drpilot.config.RestoreCheckSettings;
import dev.drpilot.events.BackupTool;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The commands and recovery settings each tool gets: the same interface, the tools' own spelling. */
class BackupRestorerTest {
    private static final Path SCRATCH = Path.of("/var/lib/drpilot/restore/orders-db");
    private static final Instant TARGET = Instant.parse("2026-12-01T03:45:00.250Z");

    private static BackupRestorer restorer(String tool) {
        BackupSource source = ConfigLoader.parse("""
                components: [{name: orders-db, kind: database}]
                backups:
                  - component: orders-db
                    tool: %s
                    stanza: main
                    restoreCheck: {environment: {WALG_FILE_PREFIX: /backups/orders, PGBACKREST_CONFIG: /etc/pgbackrest/orders.conf}}
                """.formatted(tool), "test", name -> null).backups().get(0);
        RestoreCheckSettings settings = source.restoreCheck().orElseThrow();
        return BackupRestorer.of(source, settings);
    }

    @Test
    void pgBackRestRestoresToAPointInTimeAndPromotesWithoutArchivingIntoTheRepository() {
        BackupRestorer pgbackrest = restorer("pgbackrest");

        assertThat(pgbackrest.tool()).isEqualTo(BackupTool.PGBACKREST);
        assertThat(pgbackrest.restore(SCRATCH, RestoreTarget.at(TARGET), Optional.empty())).singleElement().satisfies(command -> {
            assertThat(command.line()).isEqualTo("pgbackrest --stanza=main --pg1-path=/var/lib/drpilot/restore/orders-db --archive-mode=off"
                    + " --log-level-console=info --type=time --target=2026-12-01 03:45:00.250000+00 --target-action=promote restore");
            assertThat(command.environment()).containsEntry("PGBACKREST_CONFIG", "/etc/pgbackrest/orders.conf");
        });
        assertThat(pgbackrest.restore(SCRATCH, RestoreTarget.latest(), Optional.empty())).singleElement().extracting(Command::line)
                .isEqualTo("pgbackrest --stanza=main --pg1-path=/var/lib/drpilot/restore/orders-db --archive-mode=off --log-level-console=info restore");
        assertThat(pgbackrest.listBackups(RestoreTarget.at(TARGET))).as("pgBackRest picks the backup for a time target").isEmpty();
        assertThat(pgbackrest.recoverySettings(RestoreTarget.at(TARGET))).as("pgBackRest writes its own").isEmpty();
        assertThat(pgbackrest.backupName("P00   INFO: repo1: restore backup set 20261201-035218F, recovery will start at 2026-12-01 03:52:18"))
                .contains("20261201-035218F");
    }

    @Test
    void walGFetchesTheLatestBackupAndRecoversThroughWalFetch() {
        BackupRestorer walg = restorer("wal-g");

        assertThat(walg.tool()).isEqualTo(BackupTool.WAL_G);
        assertThat(walg.listBackups(RestoreTarget.latest())).isEmpty();
        assertThat(walg.listBackups(RestoreTarget.at(TARGET))).get().extracting(Command::line).isEqualTo("wal-g backup-list --detail --json");
        String listing = """
                [{"backup_name": "base_000000010000000000000004", "finish_time": "2026-11-30T02:10:00Z"},
                 {"backup_name": "base_000000010000000000000009", "finish_time": "2026-12-01T02:10:00Z"},
                 {"backup_name": "base_000000010000000000000011", "finish_time": "2026-12-01T03:50:00Z"}]""";
        assertThat(walg.choose(listing, RestoreTarget.at(TARGET))).as("the newest that finished by the target")
                .isEqualTo("base_000000010000000000000009");
        assertThatThrownBy(() -> walg.choose(listing, RestoreTarget.at(Instant.parse("2026-11-29T00:00:00Z"))))
                .hasMessageStartingWith("no WAL-G backup finished by the target 2026-11-29T00:00:00Z (3 listed)");
        assertThatThrownBy(() -> walg.choose("ERROR: no such bucket", RestoreTarget.at(TARGET))).hasMessageStartingWith("wal-g backup-list printed no JSON");
        assertThat(walg.restore(SCRATCH, RestoreTarget.at(TARGET), Optional.of("base_000000010000000000000009"))).extracting(Command::line)
                .containsExactly("wal-g backup-fetch /var/lib/drpilot/restore/orders-db base_000000010000000000000009",
                        "touch /var/lib/drpilot/restore/orders-db/recovery.signal");
        assertThat(walg.restore(SCRATCH, RestoreTarget.latest(), Optional.empty()).get(0).line())
                .isEqualTo("wal-g backup-fetch /var/lib/drpilot/restore/orders-db LATEST");
        assertThat(walg.restore(SCRATCH, RestoreTarget.latest(), Optional.empty()).get(0).environment())
                .containsEntry("WALG_FILE_PREFIX", "/backups/orders");
        assertThat(walg.recoverySettings(RestoreTarget.at(TARGET))).containsExactlyInAnyOrderEntriesOf(Map.of(
                "restore_command", "wal-g wal-fetch %f %p",
                "recovery_target_time", "2026-12-01 03:45:00.250000+00",
                "recovery_target_action", "promote"));
        assertThat(walg.recoverySettings(RestoreTarget.latest())).containsExactlyEntriesOf(Map.of("restore_command", "wal-g wal-fetch %f %p"));
        assertThat(walg.backupName("INFO: 2026/12/01 03:45:01.000 LATEST backup is: 'base_000000010000000000000004'"))
                .contains("base_000000010000000000000004");
    }

    @Test
    void theRestoredServerListensOnNoNetworkAndArchivesNothing() {
        assertThat(ScratchServer.isolation(SCRATCH, 55432)).containsEntry("port", "55432").containsEntry("listen_addresses", "")
                .containsEntry("unix_socket_directories", SCRATCH.toString()).containsEntry("archive_mode", "off")
                .containsEntry("primary_conninfo", "");
    }

    @Test
    void targetsAreReadAsTheCommandLineWritesThem() {
        assertThat(RestoreTarget.parse("latest")).contains(RestoreTarget.latest());
        assertThat(RestoreTarget.parse("time:2026-12-01T03:45:00Z")).contains(RestoreTarget.at(Instant.parse("2026-12-01T03:45:00Z")));
        assertThat(RestoreTarget.parse("time:yesterday")).isEmpty();
        assertThat(RestoreTarget.parse("now")).isEmpty();
    }
}
