package dev.drpilot.recovery;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.time.Instant;
import java.time.format.DateTimeParseException;

/** Picks from {@code wal-g backup-list --detail --json} the backup a point-in-time recovery must start from. */
final class WalGBackups {
    private static final ObjectMapper JSON = new ObjectMapper();

    private WalGBackups() {
    }

    /** @throws IllegalStateException when the listing is not WAL-G's, or no backup finished by {@code target} */
    static String newestFinishedBy(String listing, Instant target) {
        JsonNode backups;
        try {
            backups = JSON.readTree(listing);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("wal-g backup-list printed no JSON: " + e.getOriginalMessage(), e);
        }
        if (backups == null || !backups.isArray()) {
            throw new IllegalStateException("wal-g backup-list printed JSON that is not a list of backups");
        }
        String chosen = null;
        Instant chosenFinish = null;
        for (JsonNode backup : backups) {
            Instant finish = finishTime(backup);
            if (!finish.isAfter(target) && (chosenFinish == null || finish.isAfter(chosenFinish))) {
                chosen = backup.path("backup_name").asText(null);
                chosenFinish = finish;
            }
        }
        if (chosen == null) {
            throw new IllegalStateException("no WAL-G backup finished by the target " + target + " (" + backups.size()
                    + " listed): recovery cannot reach a point before its backup ends");
        }
        return chosen;
    }

    private static Instant finishTime(JsonNode backup) {
        String text = backup.path("finish_time").asText("");
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalStateException("wal-g backup " + backup.path("backup_name").asText("?") + " has no readable finish_time (\""
                    + text + "\")", e);
        }
    }
}
