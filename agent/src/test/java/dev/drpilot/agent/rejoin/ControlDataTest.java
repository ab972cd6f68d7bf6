package dev.drpilot.agent.rejoin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ControlDataTest {

    @ParameterizedTest(name = "{0}: state \"{1}\", timeline {2}, wal_log_hints {3}, checksums {4} -> rewindable {5}, clean {6}")
    @CsvSource({
            "controldata-crashed-primary.txt,  in production, 1, true,  false, true,  false",
            "controldata-clean-shutdown.txt,   shut down,     1, true,  false, true,  true",
            "controldata-no-hints.txt,         shut down,     1, false, false, false, true",
            "controldata-checksums.txt,        shut down,     1, false, true,  true,  true",
    })
    void readsWhatARejoinNeeds(String fixture, String state, int timeline, boolean walLogHints, boolean checksums,
                               boolean rewindable, boolean clean) {
        ControlData control = ControlData.parse(Fixtures.read(fixture));

        assertThat(control.clusterState()).isEqualTo(state);
        assertThat(control.checkpointTimeline()).isEqualTo(timeline);
        assertThat(control.walLogHints()).isEqualTo(walLogHints);
        assertThat(control.dataChecksums()).isEqualTo(checksums);
        assertThat(control.rewindable()).isEqualTo(rewindable);
        assertThat(control.shutDownCleanly()).isEqualTo(clean);
        assertThat(control.walBlockSize()).isEqualTo(8192);
        assertThat(control.walSegmentSize()).isEqualTo(16L * 1024 * 1024);
        assertThat(control.systemIdentifier()).matches("\\d+");
    }

    @Test
    void outputWithoutAFieldItNeedsIsAnError() {
        String withoutHints = Fixtures.read("controldata-clean-shutdown.txt").replace("wal_log_hints setting:", "something else:");

        assertThatThrownBy(() -> ControlData.parse(withoutHints)).hasMessageContaining("lacks wal_log_hints setting");
    }
}
