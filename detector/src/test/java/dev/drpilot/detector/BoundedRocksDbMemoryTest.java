package dev.drpilot.detector;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BoundedRocksDbMemoryTest {
    @ParameterizedTest
    @CsvSource({"64m, 67108864", "1g, 1073741824", "16384k, 16777216", "  256M , 268435456", "8388608, 8388608"})
    void readsTheBudgetWithItsUnit(String value, long bytes) {
        assertThat(BoundedRocksDbMemory.budget(value)).isEqualTo(bytes);
    }

    @ParameterizedTest
    @NullAndEmptySource
    void withoutThePropertyTheDefaultHolds(String value) {
        assertThat(BoundedRocksDbMemory.budget(value)).isEqualTo(64L * 1024 * 1024);
    }

    @ParameterizedTest
    @ValueSource(strings = {"lots", "64mb", "-1g", "1m", "m"})
    void aBudgetThatDoesNotParseOrIsTooSmallNamesTheProperty(String value) {
        assertThatThrownBy(() -> BoundedRocksDbMemory.budget(value))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-Ddrpilot.rocksdb.memory=" + value)
                .hasMessageContaining("at least 8m");
    }
}
