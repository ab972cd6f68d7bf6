package dev.drpilot.ingest.backup;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drpilot.events.BackupStatus;

import java.time.Instant;

/**
 * Reads {@code pgbackrest info --output=json} for one stanza. Status code 0 with a backup: the
 * newest backup without {@code error} is the recovery point (its {@code timestamp.stop}), and the
 * newest archived WAL segment ({@code archive[].max}) is reported with it. Code 2 (no valid
 * backups): MISSING. Any other code: FAILED with pgBackRest's message. A newest backup that
 * completed with errors is FAILED too, while the recovery point stays the newest good one.
 */
final class PgBackRestInfo {
    private static final ObjectMapper JSON = new ObjectMapper();

    private PgBackRestInfo() {
    }

    static BackupFinding parse(String output, String stanzaName) throws UnparsableOutputException {
        JsonNode root;
        try {
            root = JSON.readTree(output);
        } catch (JsonProcessingException e) {
            throw new UnparsableOutputException("pgbackrest printed no JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isArray()) {
            throw new UnparsableOutputException("pgbackrest printed JSON that is not a list of stanzas", null);
        }
        JsonNode stanza = null;
        for (JsonNode candidate : root) {
            if (stanzaName.equals(candidate.path("name").asText())) {
                stanza = candidate;
            }
        }
        if (stanza == null) {
            return BackupFinding.failed("pgbackrest reports no stanza \"" + stanzaName + "\"");
        }
        int code = stanza.path("status").path("code").asInt(99);
        String message = stanza.path("status").path("message").asText("");
        if (code == 2) {
            return BackupFinding.missing("pgbackrest stanza " + stanzaName + ": " + message);
        }
        if (code != 0) {
            return BackupFinding.failed("pgbackrest stanza " + stanzaName + " status " + code + ": " + message);
        }
        JsonNode newestGood = null;
        JsonNode newest = null;
        for (JsonNode backup : stanza.path("backup")) {
            long stop = backup.path("timestamp").path("stop").asLong();
            if (newest == null || stop > newest.path("timestamp").path("stop").asLong()) {
                newest = backup;
            }
            if (!backup.path("error").asBoolean(false)
                    && (newestGood == null || stop > newestGood.path("timestamp").path("stop").asLong())) {
                newestGood = backup;
            }
        }
        if (newestGood == null) {
            return BackupFinding.missing("pgbackrest stanza " + stanzaName + " has no backup without errors");
        }
        String newestArchived = null;
        for (JsonNode archive : stanza.path("archive")) {
            String max = archive.path("max").asText(null);
            if (max != null && (newestArchived == null || max.compareTo(newestArchived) > 0)) {
                newestArchived = max;
            }
        }
        boolean newestFailed = newest != newestGood;
        Instant stop = Instant.ofEpochSecond(newestGood.path("timestamp").path("stop").asLong());
        return new BackupFinding(newestFailed ? BackupStatus.FAILED : BackupStatus.SUCCEEDED,
                newestGood.path("label").asText(null),
                Instant.ofEpochSecond(newestGood.path("timestamp").path("start").asLong()), stop, stop,
                newestArchived, lsn(newestGood.path("lsn").path("start").asText(null)),
                lsn(newestGood.path("lsn").path("stop").asText(null)),
                numberOrNull(newestGood.path("info").path("repository").path("size")),
                numberOrNull(newestGood.path("info").path("size")), false,
                newestFailed ? "newest backup " + newest.path("label").asText() + " completed with errors" : null);
    }

    /** {@code X/Y} in hex is {@code (X << 32) + Y}. */
    static Long lsn(String text) {
        if (text == null || !text.contains("/")) {
            return null;
        }
        String[] parts = text.split("/");
        return (Long.parseLong(parts[0], 16) << 32) + Long.parseLong(parts[1], 16);
    }

    private static Long numberOrNull(JsonNode node) {
        return node.isNumber() ? node.asLong() : null;
    }
}
