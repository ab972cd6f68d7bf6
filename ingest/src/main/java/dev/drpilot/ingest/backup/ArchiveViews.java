package dev.drpilot.ingest.backup;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drpilot.events.ArchiveRange;
import dev.drpilot.events.ArchiveView;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The backup tool's own view of the WAL archive, beside what the primary's {@code pg_stat_archiver} says: an
 * {@code archive_command} can succeed while the WAL never reaches the repository (a wrapper that swallows errors, a
 * wrong stanza), and WAL can go missing from the repository later. A problem the tool reports is one the archiving
 * rule alerts on.
 */
final class ArchiveViews {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ArchiveViews() {
    }

    /**
     * From {@code pgbackrest info --output=json}: {@code archive[]} per database ({@code id} "15-1", {@code min}, {@code max}).
     * pgBackRest lists no gaps, but it says where the archive starts and ends, and each backup which WAL it needs
     * ({@code backup[].archive.start/stop}): an archive that starts after the oldest backup's first WAL, or ends before
     * the newest backup's last, has lost WAL those backups need to be restored.
     */
    static ArchiveView pgBackRest(String output, String stanzaName) throws UnparsableOutputException {
        JsonNode root = tree(output, "pgbackrest");
        if (!root.isArray()) {
            throw new UnparsableOutputException("pgbackrest printed JSON that is not a list of stanzas", null);
        }
        JsonNode stanza = null;
        for (JsonNode candidate : root) {
            if (stanzaName.equals(candidate.path("name").asText())) {
                stanza = candidate;
            }
        }
        List<String> problems = new ArrayList<>();
        if (stanza == null) {
            problems.add("pgbackrest reports no stanza \"" + stanzaName + "\"");
            return view(List.of(), problems);
        }
        int code = stanza.path("status").path("code").asInt(99);
        // 2 (no valid backups) is the backup side's finding; every other code leaves the archive unreadable or suspect.
        if (code != 0 && code != 2) {
            problems.add("pgbackrest stanza " + stanzaName + " status " + code + ": " + stanza.path("status").path("message").asText(""));
        }
        List<ArchiveRange> ranges = new ArrayList<>();
        for (JsonNode archive : stanza.path("archive")) {
            ranges.add(ArchiveRange.newBuilder().setId(archive.path("id").asText("?"))
                    .setMin(text(archive.path("min"))).setMax(text(archive.path("max"))).build());
        }
        if (code == 0 && ranges.stream().allMatch(range -> range.getMax() == null)) {
            problems.add("the repository of stanza " + stanzaName + " holds no archived WAL");
        }
        JsonNode oldest = null;
        JsonNode newest = null;
        for (JsonNode backup : stanza.path("backup")) {
            if (backup.path("error").asBoolean(false) || text(backup.path("archive").path("start")) == null) {
                continue;
            }
            long stop = backup.path("timestamp").path("stop").asLong();
            if (oldest == null || stop < oldest.path("timestamp").path("stop").asLong()) {
                oldest = backup;
            }
            if (newest == null || stop > newest.path("timestamp").path("stop").asLong()) {
                newest = backup;
            }
        }
        if (oldest != null) {
            startGap(stanza, oldest).ifPresent(problems::add);
        }
        if (newest != null) {
            endGap(stanza, newest).ifPresent(problems::add);
        }
        return view(ranges, problems);
    }

    /**
     * From {@code wal-g wal-verify integrity timeline --json}: {@code integrity.status} and {@code timeline.status} are OK,
     * WARNING or FAILURE; {@code integrity.details[]} are runs of segments per timeline with a status FOUND,
     * MISSING_DELAYED, MISSING_UPLOADING or MISSING_LOST. A lost run is a gap; a run still uploading is no problem yet.
     */
    static ArchiveView walGVerify(String output) throws UnparsableOutputException {
        JsonNode root = tree(output, "wal-g wal-verify");
        if (!root.isObject()) {
            throw new UnparsableOutputException("wal-g wal-verify printed JSON that is not an object of checks", null);
        }
        List<String> problems = new ArrayList<>();
        List<ArchiveRange> ranges = new ArrayList<>();
        JsonNode integrity = root.path("integrity");
        for (JsonNode run : integrity.path("details")) {
            String status = run.path("status").asText("?");
            String timeline = String.format("%08X", run.path("timeline_id").asLong());
            String from = text(run.path("start_segment"));
            String to = text(run.path("end_segment"));
            if ("FOUND".equals(status)) {
                ranges.add(ArchiveRange.newBuilder().setId(timeline).setMin(from).setMax(to).build());
            } else if ("MISSING_LOST".equals(status)) {
                problems.add("WAL-G: " + run.path("segments_count").asLong() + " WAL segments lost from the archive: " + from + " to " + to);
            }
        }
        String integrityStatus = integrity.path("status").asText(null);
        if (integrityStatus != null && !"OK".equals(integrityStatus) && problems.isEmpty()) {
            problems.add("WAL-G integrity check: " + integrityStatus);
        }
        JsonNode timeline = root.path("timeline");
        String timelineStatus = timeline.path("status").asText(null);
        if ("FAILURE".equals(timelineStatus)) {
            problems.add("WAL-G timeline check FAILURE: the cluster writes timeline " + timeline.path("details").path("current_timeline_id").asLong()
                    + ", the archive's highest is " + timeline.path("details").path("highest_storage_timeline_id").asLong());
        }
        return view(ranges, problems);
    }

    private static Optional<String> startGap(JsonNode stanza, JsonNode backup) {
        String needed = text(backup.path("archive").path("start"));
        return range(stanza, backup).filter(range -> range.getMin() != null && sameTimeline(range.getMin(), needed)
                        && range.getMin().compareTo(needed) > 0)
                .map(range -> "WAL is missing from the archive: backup " + backup.path("label").asText() + " needs it from " + needed
                        + ", the archive (" + range.getId() + ") starts at " + range.getMin());
    }

    private static Optional<String> endGap(JsonNode stanza, JsonNode backup) {
        String needed = text(backup.path("archive").path("stop"));
        return range(stanza, backup).filter(range -> range.getMax() != null && needed != null && range.getMax().compareTo(needed) < 0)
                .map(range -> "WAL is missing from the archive: backup " + backup.path("label").asText() + " needs it up to " + needed
                        + ", the archive (" + range.getId() + ") ends at " + range.getMax());
    }

    /** When the tool's check itself cannot run, that is a problem too: nothing vouches for the archive. */
    static ArchiveView unchecked(String why) {
        return view(List.of(), List.of(why));
    }

    private static ArchiveView view(List<ArchiveRange> ranges, List<String> problems) {
        String newest = ranges.stream().map(ArchiveRange::getMax).filter(max -> max != null)
                .max(String::compareTo).orElse(null);
        return ArchiveView.newBuilder().setRanges(ranges).setNewestWal(newest).setProblems(problems).build();
    }

    /** The archive range of the backup's database ({@code database.id}); the newest range when none says. */
    private static Optional<ArchiveRange> range(JsonNode stanza, JsonNode backup) {
        JsonNode match = null;
        JsonNode newest = null;
        for (JsonNode archive : stanza.path("archive")) {
            newest = archive;
            if (archive.path("database").path("id").asInt(-1) == backup.path("database").path("id").asInt(-2)) {
                match = archive;
            }
        }
        return Optional.ofNullable(match != null ? match : newest).map(archive -> ArchiveRange.newBuilder().setId(archive.path("id").asText("?"))
                .setMin(text(archive.path("min"))).setMax(text(archive.path("max"))).build());
    }

    private static boolean sameTimeline(String a, String b) {
        return a != null && b != null && a.length() >= 8 && b.length() >= 8 && a.substring(0, 8).equals(b.substring(0, 8));
    }

    private static JsonNode tree(String output, String tool) throws UnparsableOutputException {
        try {
            JsonNode root = JSON.readTree(output);
            if (root == null) {
                throw new UnparsableOutputException(tool + " printed nothing", null);
            }
            return root;
        } catch (JsonProcessingException e) {
            throw new UnparsableOutputException(tool + " printed no JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static String text(JsonNode node) {
        return node.isTextual() ? node.asText() : null;
    }
}
