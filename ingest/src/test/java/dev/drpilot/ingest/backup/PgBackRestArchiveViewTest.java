package dev.drpilot.ingest.backup;

import dev.drpilot.events.ArchiveView;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** pgBackRest's view of its archive from {@code info --output=json}: ranges per database, and the WAL its backups miss. */
class PgBackRestArchiveViewTest {
    private static String info(String status, String archiveMin, String archiveMax) {
        return """
                [{"name":"main","status":%s,
                  "backup":[
                    {"label":"20261201-010000F","type":"full","error":false,"archive":{"start":"000000010000000000000004","stop":"000000010000000000000004"},
                     "database":{"id":1,"repo-key":1},"timestamp":{"start":1764550800,"stop":1764550810}},
                    {"label":"20261201-010000F_20261201-020000I","type":"incr","error":false,"archive":{"start":"000000010000000000000009","stop":"00000001000000000000000A"},
                     "database":{"id":1,"repo-key":1},"timestamp":{"start":1764554400,"stop":1764554410}}],
                  "archive":[{"database":{"id":1,"repo-key":1},"id":"15-1","min":%s,"max":%s}]}]
                """.formatted(status, archiveMin, archiveMax);
    }

    private static final String OK = "{\"code\":0,\"message\":\"ok\"}";

    @Test
    void aWholeArchiveHasItsRangeAndNoProblem() throws UnparsableOutputException {
        ArchiveView view = ArchiveViews.pgBackRest(info(OK, "\"000000010000000000000004\"", "\"000000010000000000000011\""), "main");

        assertThat(view.getProblems()).isEmpty();
        assertThat(view.getRanges()).singleElement().satisfies(range -> {
            assertThat(range.getId()).isEqualTo("15-1");
            assertThat(range.getMin()).isEqualTo("000000010000000000000004");
        });
        assertThat(view.getNewestWal()).isEqualTo("000000010000000000000011");
    }

    @Test
    void anArchiveThatLostTheOldestBackupsWalIsAProblem() throws UnparsableOutputException {
        ArchiveView view = ArchiveViews.pgBackRest(info(OK, "\"000000010000000000000005\"", "\"000000010000000000000011\""), "main");

        assertThat(view.getProblems()).containsExactly("WAL is missing from the archive: backup 20261201-010000F needs it from"
                + " 000000010000000000000004, the archive (15-1) starts at 000000010000000000000005");
    }

    @Test
    void anArchiveThatEndsBeforeTheNewestBackupIsAProblem() throws UnparsableOutputException {
        ArchiveView view = ArchiveViews.pgBackRest(info(OK, "\"000000010000000000000004\"", "\"000000010000000000000009\""), "main");

        assertThat(view.getProblems()).singleElement().asString().contains("needs it up to 00000001000000000000000A")
                .contains("ends at 000000010000000000000009");
    }

    @Test
    void aStanzaInTroubleOrWithoutWalIsAProblem() throws UnparsableOutputException {
        assertThat(ArchiveViews.pgBackRest(info("{\"code\":3,\"message\":\"missing stanza data\"}", "null", "null"), "main").getProblems())
                .containsExactly("pgbackrest stanza main status 3: missing stanza data");
        assertThat(ArchiveViews.pgBackRest(info(OK, "null", "null"), "main").getProblems())
                .containsExactly("the repository of stanza main holds no archived WAL");
        assertThat(ArchiveViews.pgBackRest("[]", "main").getProblems()).containsExactly("pgbackrest reports no stanza \"main\"");
    }

    @Test
    void outputThatIsNotAListOfStanzasIsUnparsable() {
        assertThatThrownBy(() -> ArchiveViews.pgBackRest("{}", "main")).hasMessageContaining("not a list of stanzas");
        assertThatThrownBy(() -> ArchiveViews.pgBackRest("ERROR", "main")).hasMessageContaining("printed no JSON");
    }
}
