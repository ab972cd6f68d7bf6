package dev.drpilot.ingest.backup;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drpilot.events.BackupStatus;

import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Reads {@code wal-g backup-list --detail --json}: an array of completed backups ({@code []} when
 * there are none). Only completed backups are listed — a failed {@code backup-push} leaves no
 * entry — so this yields the newest good backup (greatest {@code finish_time}) as the recovery
 * point, or MISSING.
 */
final class WalGBackupList {
    private static final ObjectMapper JSON = new ObjectMapper();

    private WalGBackupList() {
    }

    static BackupFinding parse(String output) throws UnparsableOutputException {
        JsonNode root;
        try {
            root = JSON.readTree(output);
        } catch (JsonProcessingException e) {
            throw new UnparsableOutputException("wal-g printed no JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isArray()) {
            throw new UnparsableOutputException("wal-g printed JSON that is not a list of backups", null);
        }
        JsonNode newest = null;
        Instant newestFinish = null;
        for (int i = 0; i < root.size(); i++) {
            JsonNode backup = root.get(i);
            Instant finish = instant(backup, "finish_time", i);
            if (newestFinish == null || finish.isAfter(newestFinish)) {
                newest = backup;
                newestFinish = finish;
            }
        }
        if (newest == null) {
            return BackupFinding.missing("wal-g lists no backups");
        }
        return new BackupFinding(BackupStatus.SUCCEEDED, text(newest, "backup_name"), instant(newest, "start_time", -1), newestFinish,
                newestFinish, text(newest, "wal_file_name"), number(newest, "start_lsn"), number(newest, "finish_lsn"),
                number(newest, "compressed_size"), number(newest, "uncompressed_size"),
                newest.path("is_permanent").asBoolean(false), null);
    }

    private static Instant instant(JsonNode backup, String field, int index) throws UnparsableOutputException {
        JsonNode value = backup.get(field);
        if (value == null || !value.isTextual()) {
            throw new UnparsableOutputException("wal-g backup " + (index >= 0 ? "[" + index + "] " : "") + "has no " + field, null);
        }
        try {
            return Instant.parse(value.asText());
        } catch (DateTimeParseException e) {
            throw new UnparsableOutputException("wal-g backup " + field + " \"" + value.asText() + "\" is not an RFC 3339 time", e);
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static Long number(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || !value.isNumber() ? null : value.asLong();
    }
}
