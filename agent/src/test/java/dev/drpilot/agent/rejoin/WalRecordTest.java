package dev.drpilot.agent.rejoin;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WalRecordTest {
    private static final int BLOCK = 8192;
    private static final long SEGMENT = 16L * 1024 * 1024;

    @Test
    void readsTheRecordsOfARealDump() {
        List<WalRecord> records = Fixtures.read("waldump-diverged.stdout").lines().map(WalRecord::parse).flatMap(Optional::stream).toList();

        assertThat(records).hasSize(60);
        WalRecord first = records.get(0);
        assertThat(first.rmgr()).isEqualTo("XLOG");
        assertThat(first.operation()).isEqualTo("FPI_FOR_HINT");
        assertThat(first.lsn()).isEqualTo(Lsn.parse("0/3000028"));
        WalRecord insert = records.get(4);
        assertThat(insert.operation()).isEqualTo("INSERT");
        assertThat(insert.xid()).isEqualTo(725);
        assertThat(insert.relation()).contains(new RelFileNode(1663, 5, 16384));
        assertThat(records.get(records.size() - 2).operation()).as("INSERT+INIT").isEqualTo("INSERT");
        // pg_waldump's own words for where the WAL stops: "invalid record length at 0/3020E90".
        assertThat(records.get(records.size() - 1).end(BLOCK, SEGMENT)).isEqualTo(Lsn.parse("0/3020E90"));
    }

    @ParameterizedTest(name = "not a record: {0}")
    @CsvSource(delimiter = '|', value = {
            "pg_waldump: error: error in WAL record at 0/3020CF8: invalid record length at 0/3020E90: wanted 24, got 0",
            "''",
            "rmgr: Heap len (rec/tot): 61/61",
    })
    void otherLinesAreNotRecords(String line) {
        assertThat(WalRecord.parse(line)).isEmpty();
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
        assertThat(WalRecord.endOf(Lsn.parse(start), length, BLOCK, SEGMENT)).isEqualTo(Lsn.parse(end));
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
