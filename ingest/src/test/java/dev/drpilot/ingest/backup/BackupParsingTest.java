package dev.drpilot.ingest.backup;

import dev.drpilot.events.BackupStatus;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** WAL-G and pgBackRest listings, from recorded output. */
class BackupParsingTest {
    private static String recorded(String name) throws IOException {
        try (InputStream in = BackupParsingTest.class.getResourceAsStream("/backup/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void walGTheNewestFinishedBackupIsTheRecoveryPoint() throws Exception {
        BackupFinding finding = WalGBackupList.parse(recorded("wal-g-backup-list.json"));

        assertThat(finding.status()).isEqualTo(BackupStatus.SUCCEEDED);
        assertThat(finding.backupName()).isEqualTo("base_000000010000000000000009");
        assertThat(finding.recoveryPointAt()).isEqualTo(Instant.parse("2026-11-24T02:00:05.999001Z"));
        assertThat(finding.startedAt()).isEqualTo(Instant.parse("2026-11-24T02:00:02.118730Z"));
        assertThat(finding.walSegment()).isEqualTo("000000010000000000000009");
        assertThat(finding.startLsn()).isEqualTo(150994984L);
        assertThat(finding.finishLsn()).isEqualTo(150995216L);
        assertThat(finding.compressedBytes()).isEqualTo(3588112L);
        assertThat(finding.uncompressedBytes()).isEqualTo(24311204L);
        assertThat(finding.permanent()).isTrue();
        assertThat(finding.error()).isNull();
    }

    @Test
    void walGWithNoBackupsIsMissingNotFailed() throws Exception {
        BackupFinding finding = WalGBackupList.parse("[]");
        assertThat(finding.status()).isEqualTo(BackupStatus.MISSING);
        assertThat(finding.recoveryPointAt()).isNull();
    }

    @Test
    void walGGarbageIsUnparsable() {
        assertThatThrownBy(() -> WalGBackupList.parse("ERROR: 2026/11/24 connect: connection refused"))
                .isInstanceOf(UnparsableOutputException.class).hasMessageStartingWith("wal-g printed no JSON");
        assertThatThrownBy(() -> WalGBackupList.parse("{\"backup_name\": \"x\"}"))
                .isInstanceOf(UnparsableOutputException.class).hasMessage("wal-g printed JSON that is not a list of backups");
        assertThatThrownBy(() -> WalGBackupList.parse("[{\"backup_name\": \"x\", \"finish_time\": \"yesterday\"}]"))
                .isInstanceOf(UnparsableOutputException.class).hasMessageContaining("\"yesterday\" is not an RFC 3339 time");
    }

    @Test
    void pgBackRestTheNewestGoodBackupAndTheNewestArchivedSegment() throws Exception {
        BackupFinding finding = PgBackRestInfo.parse(recorded("pgbackrest-info.json"), "orders");

        assertThat(finding.status()).isEqualTo(BackupStatus.SUCCEEDED);
        assertThat(finding.backupName()).isEqualTo("20261123-020001F_20261124-020002I");
        assertThat(finding.recoveryPointAt()).isEqualTo(Instant.ofEpochSecond(1795485606L));
        assertThat(finding.walSegment()).isEqualTo("000000010000000000000012");
        assertThat(finding.startLsn()).isEqualTo(0x9000028L);
        assertThat(finding.finishLsn()).isEqualTo(0x9000100L);
    }

    @Test
    void pgBackRestStatusCodesMapToMissingAndFailed() throws Exception {
        assertThat(PgBackRestInfo.parse(recorded("pgbackrest-info.json"), "empty").status()).isEqualTo(BackupStatus.MISSING);
        assertThat(PgBackRestInfo.parse(recorded("pgbackrest-info.json"), "nope").error())
                .isEqualTo("pgbackrest reports no stanza \"nope\"");
        BackupFinding broken = PgBackRestInfo.parse("""
                [{"name": "orders", "status": {"code": 3, "message": "missing stanza data"}, "backup": [], "archive": []}]""", "orders");
        assertThat(broken.status()).isEqualTo(BackupStatus.FAILED);
        assertThat(broken.error()).isEqualTo("pgbackrest stanza orders status 3: missing stanza data");
    }

    @Test
    void pgBackRestANewestBackupWithErrorsFailsButKeepsTheGoodRecoveryPoint() throws Exception {
        BackupFinding finding = PgBackRestInfo.parse("""
                [{"name": "orders", "status": {"code": 0, "message": "ok"}, "archive": [],
                  "backup": [
                    {"label": "A", "error": false, "timestamp": {"start": 100, "stop": 200}, "lsn": {"start": "0/10", "stop": "0/20"}},
                    {"label": "B", "error": true, "timestamp": {"start": 300, "stop": 400}, "lsn": {"start": "1/0", "stop": "1/10"}}]}]""",
                "orders");
        assertThat(finding.status()).isEqualTo(BackupStatus.FAILED);
        assertThat(finding.recoveryPointAt()).isEqualTo(Instant.ofEpochSecond(200));
        assertThat(finding.error()).isEqualTo("newest backup B completed with errors");
    }

    @Test
    void lsnTextIsHighAndLowHexWords() {
        assertThat(PgBackRestInfo.lsn("1/0")).isEqualTo(1L << 32);
        assertThat(PgBackRestInfo.lsn("16/B374D848")).isEqualTo((0x16L << 32) + 0xB374D848L);
        assertThat(PgBackRestInfo.lsn(null)).isNull();
    }
}
