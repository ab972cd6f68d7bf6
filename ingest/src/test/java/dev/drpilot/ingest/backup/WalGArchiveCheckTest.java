package dev.drpilot.ingest.backup;

import dev.drpilot.config.BackupSource;
import dev.drpilot.events.ArchiveRange;
import dev.drpilot.events.BackupObservation;
import dev.drpilot.events.Source;
import dev.drpilot.schemas.topic.Topics;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * WAL-G's own view of its archive ({@code wal-g wal-verify integrity timeline --json}), read by the backup collector from a
 * stand-in {@code wal-g} script that prints WAL-G's JSON (WAL-G is not packaged here): a whole archive, a lost run of
 * segments, a timeline the archive lacks, and a check that cannot run.
 */
class WalGArchiveCheckTest {
    private static final Instant NOW = Instant.parse("2026-11-24T03:00:00Z");
    private static final Source SOURCE = Source.newBuilder().setCollectorId("c1").setVantage("eu").build();
    private static final String WHOLE = """
            {"integrity":{"status":"OK","details":[
              {"timeline_id":3,"start_segment":"00000003000000030000004D","end_segment":"0000000300000004000000F0","segments_count":420,"status":"FOUND"},
              {"timeline_id":4,"start_segment":"0000000400000004000000F1","end_segment":"000000040000000800000034","segments_count":836,"status":"FOUND"}]},
             "timeline":{"status":"OK","details":{"current_timeline_id":4,"highest_storage_timeline_id":4}}}""";
    private static final String GAP = """
            {"integrity":{"status":"FAILURE","details":[
              {"timeline_id":1,"start_segment":"000000010000000000000002","end_segment":"000000010000000000000008","segments_count":7,"status":"FOUND"},
              {"timeline_id":1,"start_segment":"000000010000000000000009","end_segment":"00000001000000000000003E","segments_count":54,"status":"MISSING_LOST"},
              {"timeline_id":1,"start_segment":"00000001000000000000003F","end_segment":"000000010000000000000041","segments_count":3,"status":"FOUND"},
              {"timeline_id":1,"start_segment":"000000010000000000000042","end_segment":"000000010000000000000042","segments_count":1,"status":"MISSING_UPLOADING"}]},
             "timeline":{"status":"OK","details":{"current_timeline_id":1,"highest_storage_timeline_id":1}}}""";
    private static final String OTHER_TIMELINE = """
            {"integrity":{"status":"OK","details":[]},
             "timeline":{"status":"FAILURE","details":{"current_timeline_id":5,"highest_storage_timeline_id":4}}}""";

    @TempDir
    Path dir;

    private final MockProducer<String, BackupObservation> producer = new MockProducer<>(true, null,
            Serdes.String().serializer(), Topics.BACKUP_OBSERVATIONS.valueSerde().serializer());

    /** A stand-in wal-g: {@code backup-list} lists one backup, {@code wal-verify} prints {@code verify} (or fails). */
    private BackupObservation observe(String verify) throws IOException {
        Files.writeString(dir.resolve("verify.json"), verify);
        Path walg = dir.resolve("wal-g");
        Files.writeString(walg, """
                #!/bin/sh
                case "$1" in
                  backup-list) echo '[{"backup_name":"base_000000010000000000000002","start_time":"2026-11-24T01:00:00Z","finish_time":"2026-11-24T02:00:05Z"}]' ;;
                  wal-verify) [ "$2 $3 $4" = "integrity timeline --json" ] || { echo "bad arguments: $*" >&2; exit 2; }
                              [ -s %s ] || { echo 'ERROR: failed to connect to the database' >&2; exit 1; }
                              cat %s ;;
                esac
                """.formatted(dir.resolve("verify.json"), dir.resolve("verify.json")));
        Files.setPosixFilePermissions(walg, PosixFilePermissions.fromString("rwxr-xr-x"));
        BackupSource source = new BackupSource("orders-data", BackupSource.Tool.WAL_G, Optional.of(walg + " backup-list --detail --json"),
                Optional.empty(), Duration.ofMinutes(5), Duration.ofSeconds(10), Optional.empty(),
                Optional.of(walg + " wal-verify integrity timeline --json"));
        new BackupCollector(source, Optional.of("orders"), SOURCE, producer, Clock.fixed(NOW, ZoneOffset.UTC)).run();
        return producer.history().get(producer.history().size() - 1).value();
    }

    @Test
    void aWholeArchiveIsPublishedWithItsRangesAndNoProblem() throws IOException {
        BackupObservation observation = observe(WHOLE);

        assertThat(observation.getArchive().getProblems()).isEmpty();
        assertThat(observation.getArchive().getRanges()).extracting(ArchiveRange::getId, ArchiveRange::getMin, ArchiveRange::getMax)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("00000003", "00000003000000030000004D", "0000000300000004000000F0"),
                        org.assertj.core.groups.Tuple.tuple("00000004", "0000000400000004000000F1", "000000040000000800000034"));
        assertThat(observation.getArchive().getNewestWal()).isEqualTo("000000040000000800000034");
        assertThat(observation.getBackupName()).as("the backup listing is read as before").isEqualTo("base_000000010000000000000002");
    }

    @Test
    void aLostRunOfSegmentsIsAProblemNamingIt() throws IOException {
        BackupObservation observation = observe(GAP);

        assertThat(observation.getArchive().getProblems())
                .containsExactly("WAL-G: 54 WAL segments lost from the archive: 000000010000000000000009 to 00000001000000000000003E");
        assertThat(observation.getArchive().getNewestWal()).isEqualTo("000000010000000000000041");
    }

    @Test
    void aTimelineTheArchiveLacksIsAProblem() throws IOException {
        assertThat(observe(OTHER_TIMELINE).getArchive().getProblems())
                .containsExactly("WAL-G timeline check FAILURE: the cluster writes timeline 5, the archive's highest is 4");
    }

    @Test
    void aCheckThatCannotRunIsAProblemWithItsError() throws IOException {
        assertThat(observe("").getArchive().getProblems()).singleElement().asString()
                .contains("wal-verify integrity timeline --json` exited 1: ERROR: failed to connect to the database");
    }

    @Test
    void withoutAnArchiveCheckThereIsNoView() throws IOException {
        Path walg = dir.resolve("list");
        Files.writeString(walg, "#!/bin/sh\necho '[]'\n");
        Files.setPosixFilePermissions(walg, PosixFilePermissions.fromString("rwxr-xr-x"));
        BackupSource source = new BackupSource("orders-data", BackupSource.Tool.WAL_G, Optional.of(walg.toString()),
                Optional.empty(), Duration.ofMinutes(5), Duration.ofSeconds(10), Optional.empty());
        new BackupCollector(source, Optional.of("orders"), SOURCE, producer, Clock.fixed(NOW, ZoneOffset.UTC)).run();
        assertThat(producer.history().get(0).value().getArchive()).isNull();
    }
}
