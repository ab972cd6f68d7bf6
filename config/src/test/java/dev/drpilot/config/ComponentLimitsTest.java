package dev.drpilot.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The comparisons of a figure with a component's thresholds and RPO: 60 s / 64 MiB lag, 5 min RPO, 2 min grace. */
class ComponentLimitsTest {
    private static final Instant NOW = Instant.parse("2026-11-24T03:00:00Z");
    private static final long MIB = 1 << 20;
    private static final ComponentLimits DATABASE = new ComponentLimits(Thresholds.drPlan(), Optional.of(Duration.ofMinutes(5)));
    private static final ComponentLimits NO_RPO = new ComponentLimits(Thresholds.drPlan(), Optional.empty());

    @ParameterizedTest(name = "{0} s, {1} bytes: over {2}, still over {3}, over the RPO {4}")
    @CsvSource({
            // seconds, bytes,     over,  still over (90 %), over RPO
            "0,         0,         false, false,             false",
            "54,        0,         false, false,             false",
            "54.5,      0,         false, true,              false",
            "60,        0,         false, true,              false",
            "60.001,    0,         true,  true,              false",
            "300,       0,         true,  true,              false",
            "300.5,     0,         true,  true,              true",
            "0,         60397977,  false, false,             false",
            "0,         60397978,  false, true,              false",
            "0,         67108864,  false, true,              false",
            "0,         67108865,  true,  true,              false",
            "301,       67108865,  true,  true,              true",
    })
    void lagIsOverItsThresholdOnlyWhenStrictlyAboveIt(double seconds, long bytes, boolean over, boolean stillOver, boolean overRpo) {
        assertThat(DATABASE.lagOver(seconds, bytes)).isEqualTo(over);
        assertThat(DATABASE.lagStillOver(seconds, bytes)).isEqualTo(stillOver);
        assertThat(DATABASE.lagOverRpo(seconds)).isEqualTo(overRpo);
        assertThat(DATABASE.lagSecondsOver(seconds) || DATABASE.lagBytesOver(bytes)).isEqualTo(over);
    }

    @Test
    void withoutAnRpoLagIsNeverOverIt() {
        assertThat(NO_RPO.lagOverRpo(1e9)).isFalse();
        assertThat(NO_RPO.lagOver(1e9, 0)).isTrue();
    }

    @ParameterizedTest(name = "recovery point {0} s old: over the RPO {1}")
    @CsvSource({"0,false", "299,false", "300,false", "301,true", "-60,false"})
    void aRecoveryPointIsOverTheRpoOnlyWhenStrictlyOlder(long ageSeconds, boolean over) {
        Instant point = NOW.minusSeconds(ageSeconds);
        assertThat(DATABASE.recoveryPointOverRpo(point, NOW)).isEqualTo(over);
        assertThat(NO_RPO.recoveryPointOverRpo(point, NOW)).isFalse();
    }

    @ParameterizedTest(name = "no recovery point for {0} s: too long {1}")
    @CsvSource({"0,false", "120,false", "121,true"})
    void noRecoveryPointIsABreachOnlyAfterTheGrace(long waitedSeconds, boolean tooLong) {
        assertThat(DATABASE.noRecoveryPointTooLong(NOW.minusSeconds(waitedSeconds), NOW)).isEqualTo(tooLong);
        assertThat(NO_RPO.noRecoveryPointTooLong(NOW.minusSeconds(waitedSeconds), NOW)).isFalse();
    }

    @Test
    void aConfiguredComponentHasItsOwnThresholdsAndAnUnconfiguredOneTheTopLevelOnes() {
        DrpilotConfig config = ConfigLoader.parse("""
                components:
                  - {name: orders-db, kind: database, rpo: 10m, thresholds: {replicationLag: 2m}}
                  - {name: web, kind: application}
                thresholds: {replicationLagBytes: 1MiB}
                """, "test", name -> null);
        ComponentLimits ordersDb = ComponentLimits.of(config.components().get(0));
        ComponentLimits web = ComponentLimits.of(config.components().get(1));
        ComponentLimits unknown = ComponentLimits.unconfigured(config);

        assertThat(ordersDb.lagSecondsOver(90)).as("its own 2 min").isFalse();
        assertThat(ordersDb.lagBytesOver(MIB + 1)).as("the top-level 1 MiB it does not override").isTrue();
        assertThat(ordersDb.rpo()).contains(Duration.ofMinutes(10));
        assertThat(web.rpo()).as("an application has no RPO").isEmpty();
        assertThat(unknown.lagSecondsOver(90)).isTrue();
        assertThat(unknown.rpo()).isEmpty();
    }
}
