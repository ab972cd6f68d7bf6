package dev.drpilot.ingest.archive;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ArchiveFailureLogTest {
    private static final String LOG = """
            2026-12-01 23:10:00.001 UTC [411] LOG:  archive command failed with exit code 1
            2026-12-01 23:10:00.001 UTC [411] DETAIL:  The failed archive command was: old command
            simulated archive failure
            2026-12-01 23:11:00.002 UTC [411] LOG:  archive command failed with exit code 3
            2026-12-01 23:11:00.002 UTC [377] LOG:  checkpoint starting: time
            2026-12-01 23:11:00.002 UTC [411] DETAIL:  The failed archive command was: echo x >&2; exit 3
            2026-12-01 23:11:00.003 UTC [411] WARNING:  archiving write-ahead log file "000000010000000000000003" failed too many times, will try again later
            """;

    @Test
    void theNewestFailureAndItsDetailAreTaken() {
        ArchiveFailureLog failure = ArchiveFailureLog.parse("log/postgresql.log", LOG);

        assertThat(failure.message()).hasValue("2026-12-01 23:11:00.002 UTC [411] LOG:  archive command failed with exit code 3");
        assertThat(failure.detail()).hasValue("2026-12-01 23:11:00.002 UTC [411] DETAIL:  The failed archive command was: echo x >&2; exit 3");
        assertThat(failure.file()).hasValue("log/postgresql.log");
        assertThat(failure.unread()).isEmpty();
    }

    @Test
    void aSignalCountsAsAFailureToo() {
        ArchiveFailureLog failure = ArchiveFailureLog.parse("f", "x [1] LOG:  archive command was terminated by signal 9: Killed\n");
        assertThat(failure.message()).hasValueSatisfying(line -> assertThat(line).endsWith("signal 9: Killed"));
        assertThat(failure.detail()).isEmpty();
    }

    @Test
    void aTailWithoutAFailureSaysSo() {
        ArchiveFailureLog failure = ArchiveFailureLog.parse("log/postgresql.log", "x [1] LOG:  checkpoint complete\n");
        assertThat(failure.message()).isEmpty();
        assertThat(failure.unread()).hasValueSatisfying(why -> assertThat(why).contains("no \"archive command failed\" line")
                .contains("log/postgresql.log"));
    }
}
