package dev.drpilot.recovery;

import dev.drpilot.config.RestoreCheckSettings;
import dev.drpilot.events.RestoreCheckQuery;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class CheckQueryTest {

    @ParameterizedTest(name = "expect [{0}], psql printed [{1}] -> passed {2}: {3}")
    @CsvSource(delimiter = ';', nullValues = "NONE", textBlock = """
            NONE ; 1       ; true  ; returned rows
            NONE ; ''      ; false ; returned no rows
            1042 ; 1042    ; true  ; 1042
            1042 ; 1041    ; false ; returned 1041, expected 1042
            1042 ; ''      ; false ; returned no rows, expected 1042
            1,2  ; 1,2|x   ; true  ; 1,2
            """)
    void judgesTheFirstColumnOfTheFirstRow(String expect, String output, boolean passed, String detail) {
        RestoreCheckQuery result = CheckQuery.judge(new RestoreCheckSettings.Check("q", "postgres", "SELECT", Optional.ofNullable(expect)),
                output + "\n");

        assertThat(result.getPassed()).isEqualTo(passed);
        assertThat(result.getDetail()).isEqualTo(detail);
    }
}
