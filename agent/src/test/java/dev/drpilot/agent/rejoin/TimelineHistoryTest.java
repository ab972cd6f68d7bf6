package dev.drpilot.agent.rejoin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class TimelineHistoryTest {

    @Test
    void aRealHistoryFileNamesWhereTheOldTimelineEnded() {
        TimelineHistory history = TimelineHistory.parse(2, Fixtures.read("00000002.history"));

        assertThat(history.entries()).containsExactly(new TimelineHistory.Entry(1, Lsn.parse("0/3000000"), "no recovery target specified"));
    }

    @ParameterizedTest(name = "timeline {0} of a third-generation history -> {1}")
    @CsvSource({
            "1, 0/3000000",
            "2, 0/50000A0",
            "3, ''",
            "7, ''",
    })
    void theSwitchPointOfAnAncestor(int ancestor, String expected) {
        TimelineHistory history = TimelineHistory.parse(3, "1\t0/3000000\tno recovery target specified\n\n# a comment\n2\t0/50000A0\tno recovery target specified\n");

        assertThat(history.switchPointOf(ancestor)).isEqualTo(expected.isEmpty() ? Optional.empty() : Optional.of(Lsn.parse(expected)));
    }

    @Test
    void aLineWithoutASwitchPointIsAnError() {
        assertThatThrownBy(() -> TimelineHistory.parse(2, "1\n")).hasMessageContaining("line without a switch point");
    }
}
