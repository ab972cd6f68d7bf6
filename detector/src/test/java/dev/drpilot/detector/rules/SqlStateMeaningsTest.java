package dev.drpilot.detector.rules;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class SqlStateMeaningsTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "null", textBlock = """
            28P01 | Login refused: the collector's credentials
            28000 | Login refused: the collector's credentials
            08004 | Login refused: the collector's credentials
            53300 | Connections exhausted (max_connections)
            57P03 | Starting up, shutting down or in crash recovery
            57P01 | Being shut down or restarted
            3D000 | does not exist on this node
            57014 | cancelled by the statement timeout
            53100 | out of a resource
            XX000 | Look the SQLSTATE up
            null  | Look the SQLSTATE up
            """)
    void eachAnswerSaysWhatItMeansForOnCall(String sqlState, String meaning) {
        assertThat(SqlStateMeanings.of(sqlState)).contains(meaning);
    }
}
