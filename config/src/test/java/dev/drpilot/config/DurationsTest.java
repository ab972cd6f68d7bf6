package dev.drpilot.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DurationsTest {
    @ParameterizedTest
    @CsvSource({"500ms,500", "90s,90000", "5m,300000", "1h,3600000", "1d,86400000", "1h30m,5400000", "1m30s,90000"})
    void parsesWhatPeopleWrite(String text, long millis) {
        assertThat(Durations.parse(text)).isEqualTo(Duration.ofMillis(millis));
    }

    @ParameterizedTest
    @ValueSource(strings = {"5 minutes", "90", "", "1.5h", "-5s", "5M", "m5"})
    void rejectsEverythingElseWithTheConfigurationMessage(String text) {
        assertThatThrownBy(() -> Durations.parse(text)).hasMessage("\"" + text + "\" is not a duration (use 90s, 5m, 1h)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"500ms", "90s", "1m30s", "5m", "1h", "1h30m", "1d", "2d3h4m5s6ms"})
    void formatsBackToTheShortestForm(String text) {
        assertThat(Durations.format(Durations.parse(text))).isEqualTo(text.equals("90s") ? "1m30s" : text);
    }

    @Test
    void zeroIsZeroSeconds() {
        assertThat(Durations.format(Duration.ZERO)).isEqualTo("0s");
    }

    @ParameterizedTest
    @CsvSource({"1048576,1048576", "16MiB,16777216", "512KiB,524288", "1GiB,1073741824", "2MB,2000000"})
    void byteSizes(String text, long bytes) {
        assertThat(ByteSizes.parse(text)).isEqualTo(bytes);
    }

    @Test
    void byteSizesFormatInBinaryUnits() {
        assertThat(ByteSizes.format(16L << 20)).isEqualTo("16MiB");
        assertThat(ByteSizes.format(1000)).isEqualTo("1000");
    }

    @Test
    void editDistanceDrivesTheHints() {
        assertThat(EditDistance.of("host", "hots")).isEqualTo(2);
        assertThat(EditDistance.of("replicationLag", "replicatonLag")).isEqualTo(1);
    }
}
