package dev.drpilot.config;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** When a backup outcome counts, and whether the last one counts as failed. Times are seconds after T0; empty is "none". */
class BackupOutcomesTest {
    private static final Instant T0 = Instant.parse("2026-11-24T03:00:00Z");

    @ParameterizedTest(name = "success finished {0}, recovery point {1}, reported {2}: counts at {3}")
    @CsvSource({
            // finished, recovery point, reported, counts at
            "10,         20,             30,       10",
            "  ,         20,             30,       20",
            "  ,           ,             30,       30",
            "10,           ,             30,       10",
    })
    void aSuccessCountsFromItsFinish(Long finished, Long recoveryPoint, long reported, long countsAt) {
        assertThat(BackupOutcomes.successAt(at(finished), at(recoveryPoint), at(reported))).isEqualTo(at(countsAt));
    }

    @ParameterizedTest(name = "failure reported at {0}: counts at {0}")
    @CsvSource({"0", "30"})
    void aFailureCountsFromItsReport(long reported) {
        assertThat(BackupOutcomes.failureAt(at(reported))).isEqualTo(at(reported));
    }

    @ParameterizedTest(name = "newest failure {0}, newest success {1}: last failed {2}")
    @CsvSource({
            // failure, success, last failed
            "  ,        ,        false",
            "  ,        10,      false",
            "10,        ,        true",
            "20,        10,      true",
            "10,        10,      false",
            "10,        20,      false",
    })
    void theLastBackupFailedWhileNoSuccessIsAsNewAsTheFailure(Long failure, Long success, boolean failed) {
        assertThat(BackupOutcomes.lastFailed(Optional.ofNullable(at(failure)), Optional.ofNullable(at(success)))).isEqualTo(failed);
    }

    private static Instant at(Long seconds) {
        return seconds == null ? null : T0.plusSeconds(seconds);
    }
}
