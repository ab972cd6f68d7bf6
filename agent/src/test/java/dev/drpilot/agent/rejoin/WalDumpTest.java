package dev.drpilot.agent.rejoin;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WalDumpTest {
    private static final int BLOCK = 8192;
    private static final long SEGMENT = 16L * 1024 * 1024;

    @Test
    void aDivergedOldPrimarysWalReadsToItsEnd() {
        WalDump dump = WalDump.parse(Fixtures.read("waldump-diverged.stdout"), Fixtures.read("waldump-diverged.stderr"));

        assertThat(dump.reading()).isEqualTo(WalDump.Reading.RECORDS);
        assertThat(dump.records()).hasSize(60);
        WalDump.Record first = dump.records().get(0);
        assertThat(first.rmgr()).isEqualTo("XLOG");
        assertThat(first.operation()).isEqualTo("FPI_FOR_HINT");
        assertThat(first.lsn()).isEqualTo(Lsn.parse("0/3000028"));
        WalDump.Record insert = dump.records().get(4);
        assertThat(insert.operation()).isEqualTo("INSERT");
        assertThat(insert.xid()).isEqualTo(725);
        assertThat(insert.relation()).contains(new RelFileNode(1663, 5, 16384));
        // pg_waldump's own words for where the WAL stops: "invalid record length at 0/3020E90".
        assertThat(dump.end(BLOCK, SEGMENT)).contains(Lsn.parse("0/3020E90"));
    }

    @Test
    void aCleanSwitchoversOldPrimaryHasNothingAfterTheSwitchPoint() {
        WalDump dump = WalDump.parse("", Fixtures.read("waldump-clean.stderr"));

        assertThat(dump.reading()).isEqualTo(WalDump.Reading.NOTHING_AFTER_START);
        assertThat(dump.end(BLOCK, SEGMENT)).isEmpty();
    }

    @Test
    void aMissingSegmentIsUnreadable() {
        WalDump dump = WalDump.parse("", "pg_waldump: error: could not find file \"000000010000000000000003\": No such file or directory");

        assertThat(dump.reading()).isEqualTo(WalDump.Reading.UNREADABLE);
    }

    @ParameterizedTest(name = "a record of {1} bytes at {0} ends at {2}")
    @CsvSource({
            "0/3020CF8,   405, 0/3020E90",   // the fixture's last record, within a page
            "0/3000028,    24, 0/3000040",   // aligned up to 8 bytes
            "0/3001F00,   300, 0/3002048",   // crosses into the next page: 24-byte page header
            "0/3001F00,   256, 0/3002000",   // ends exactly at the page end
            "0/3FFFF00,   512, 0/4000128",   // crosses into the next segment: 40-byte long page header
            "0/3001000, 16384, 0/3005030",   // spans two page boundaries
    })
    void theEndOfARecordCountsThePageHeadersItCrosses(String start, int length, String end) {
        assertThat(WalDump.endOf(Lsn.parse(start), length, BLOCK, SEGMENT)).isEqualTo(Lsn.parse(end));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "0/3020E90, 50466448",
            "1/0,       4294967296",
            "A/FF,      42949673215",
    })
    void walLocationsReadAndPrintAsPostgresWritesThem(String text, long value) {
        assertThat(Lsn.parse(text).value()).isEqualTo(value);
        assertThat(Lsn.parse(text)).hasToString(text);
        assertThat(Optional.of(Lsn.parse(text).minus(Lsn.parse("0/0")))).contains(value);
    }
}
