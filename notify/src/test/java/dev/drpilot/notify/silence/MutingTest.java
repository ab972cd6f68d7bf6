package dev.drpilot.notify.silence;

import dev.drpilot.config.InhibitRule;
import dev.drpilot.config.MaintenanceWindow;
import dev.drpilot.config.Matchers;
import dev.drpilot.config.Schedule;
import dev.drpilot.events.Alert;
import dev.drpilot.events.Severity;
import dev.drpilot.events.Silence;
import dev.drpilot.notify.TestAlerts;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class MutingTest {
    // A Sunday, 02:30 UTC.
    private static final Instant NOW = Instant.parse("2026-11-29T02:30:00Z");
    private final Silences silences = new Silences();
    private final List<Alert> firing = new ArrayList<>();
    private final Map<String, Instant> resolvedAt = new java.util.HashMap<>();
    private boolean firingKnown = true;

    private Muting muting(List<MaintenanceWindow> windows, List<InhibitRule> inhibit) {
        return new Muting(windows, inhibit, silences::active, () -> firing,
                fingerprint -> Optional.ofNullable(resolvedAt.get(fingerprint)), () -> firingKnown, Duration.ofSeconds(10));
    }

    private static Silence silence(String id, String matchers, Instant startsAt, Instant endsAt) {
        Map<String, List<String>> values = new java.util.LinkedHashMap<>();
        Matchers.parse(matchers).values().forEach((label, allowed) -> values.put(label, List.copyOf(allowed)));
        return Silence.newBuilder().setId(id).setMatchers(values).setStartsAt(startsAt).setEndsAt(endsAt).setCreatedBy("alice")
                .setComment("upgrading pg-2").setUpdatedAt(startsAt).build();
    }

    private static Alert lag(String cluster) {
        return TestAlerts.firing(cluster, Severity.WARNING).build();
    }

    private static Alert primaryDown(String cluster) {
        return TestAlerts.firing(cluster, Severity.CRITICAL).setRule("primary-down").setNode("pg-1")
                .setFingerprint("primary-down/cluster=" + cluster).build();
    }

    @Test
    void aSilenceInForceHoldsBackTheAlertsItMatchesUntilItEnds() {
        silences.accept("s1", silence("s1", "rule=replication-lag,cluster=orders", NOW.minusSeconds(60), NOW.plusSeconds(3600)));
        Muting muting = muting(List.of(), List.of());

        Optional<Mute> mute = muting.muteOf(lag("orders"), NOW);
        assertThat(mute).hasValueSatisfying(found -> {
            assertThat(found.kind()).isEqualTo(Mute.Kind.SILENCE);
            assertThat(found.by()).isEqualTo("s1");
            assertThat(found.until()).contains(NOW.plusSeconds(3600));
            assertThat(found.text()).isEqualTo("silence s1 by alice until 2026-11-29T03:30:00Z: upgrading pg-2");
        });
        assertThat(muting.muteOf(lag("billing"), NOW)).as("another cluster").isEmpty();
        assertThat(muting.muteOf(lag("orders"), NOW.plusSeconds(3600))).as("ended").isEmpty();
        assertThat(muting.muteOf(lag("orders"), NOW.minusSeconds(61))).as("not yet started").isEmpty();
        assertThat(muting.nextLook(mute.get(), NOW)).as("looked at again every 10 s: it may be expired by hand").isEqualTo(NOW.plusSeconds(10));
        assertThat(muting.nextLook(mute.get(), NOW.plusSeconds(3595))).as("at its end, when sooner").isEqualTo(NOW.plusSeconds(3600));

        // Expired by hand: the same id written again with its end moved to then.
        silences.accept("s1", silence("s1", "rule=replication-lag,cluster=orders", NOW.minusSeconds(60), NOW));
        assertThat(muting.muteOf(lag("orders"), NOW)).isEmpty();
        assertThat(silences.all()).hasSize(1);
        assertThat(silences.active(NOW)).isEmpty();
    }

    @Test
    void anOpenMaintenanceWindowHoldsBackTheAlertsItMatches() {
        MaintenanceWindow window = new MaintenanceWindow("sunday-upgrades", Schedule.parse("0 2 * * 0"), Duration.ofHours(2),
                Matchers.parse("cluster=orders"), Optional.of("orders"));
        Muting muting = muting(List.of(window), List.of());

        assertThat(muting.muteOf(lag("orders"), NOW)).hasValueSatisfying(mute -> {
            assertThat(mute.kind()).isEqualTo(Mute.Kind.MAINTENANCE);
            assertThat(mute.text()).isEqualTo("maintenance window sunday-upgrades until 2026-11-29T04:00:00Z");
        });
        assertThat(muting.muteOf(lag("billing"), NOW)).isEmpty();
        assertThat(muting.muteOf(lag("orders"), Instant.parse("2026-11-29T04:00:00Z"))).as("closed").isEmpty();
        MaintenanceWindow pauseOnly = new MaintenanceWindow("pause-only", Schedule.parse("0 2 * * 0"), Duration.ofHours(2), Matchers.none(),
                Optional.of("orders"));
        assertThat(muting(List.of(pauseOnly), List.of()).muteOf(lag("orders"), NOW)).as("no matchers silence nothing").isEmpty();
    }

    @Test
    void aFiringPrimaryDownInhibitsItsClustersLagButNotAnotherClustersNorItself() {
        Muting muting = muting(List.of(), InhibitRule.DEFAULTS);
        firing.add(primaryDown("orders"));
        firing.add(lag("orders"));
        firing.add(lag("billing"));

        assertThat(muting.muteOf(lag("orders"), NOW)).hasValueSatisfying(mute -> {
            assertThat(mute.kind()).isEqualTo(Mute.Kind.INHIBITION);
            assertThat(mute.until()).isEmpty();
            assertThat(mute.text()).isEqualTo("inhibited by primary-down of cluster orders (primary-down/cluster=orders)");
        });
        assertThat(muting.muteOf(lag("billing"), NOW)).isEmpty();
        assertThat(muting.muteOf(primaryDown("orders"), NOW)).isEmpty();

        firing.remove(0);
        assertThat(muting.muteOf(lag("orders"), NOW)).as("once primary-down resolves").isEmpty();
    }

    @Test
    void aSilenceIsNamedBeforeAWindowAndAWindowBeforeAnInhibition() {
        silences.accept("s1", silence("s1", "cluster=orders", NOW.minusSeconds(60), NOW.plusSeconds(60)));
        firing.add(primaryDown("orders"));
        MaintenanceWindow window = new MaintenanceWindow("w", Schedule.parse("0 2 * * 0"), Duration.ofHours(2), Matchers.parse("cluster=orders"),
                Optional.empty());
        Muting muting = muting(List.of(window), InhibitRule.DEFAULTS);
        assertThat(muting.muteOf(lag("orders"), NOW)).get().extracting(Mute::kind).isEqualTo(Mute.Kind.SILENCE);
        silences.accept("s1", null);
        assertThat(muting.muteOf(lag("orders"), NOW)).get().extracting(Mute::kind).isEqualTo(Mute.Kind.MAINTENANCE);
        assertThat(muting(List.of(), InhibitRule.DEFAULTS).muteOf(lag("orders"), NOW)).get().extracting(Mute::kind)
                .isEqualTo(Mute.Kind.INHIBITION);
    }

    @Test
    void anAlertCountsAsStillFiringUntilARecordResolvingItIsKnown() {
        Muting muting = muting(List.of(), List.of());
        Alert lag = lag("orders");
        resolvedAt.put(lag.getFingerprint(), lag.getEmittedAt().plusSeconds(5));
        firingKnown = false;
        assertThat(muting.stillFiring(lag)).as("not read yet: a late page beats a lost one").isTrue();
        firingKnown = true;
        assertThat(muting.stillFiring(lag)).as("resolved after it was emitted").isFalse();
        resolvedAt.put(lag.getFingerprint(), lag.getEmittedAt().minusSeconds(5));
        assertThat(muting.stillFiring(lag)).as("resolved before: an earlier round, and this FIRING is not read yet").isTrue();
        resolvedAt.clear();
        assertThat(muting.stillFiring(lag)).isTrue();
    }

    @Test
    void anAlertsLabelsAreWhatMatchersName() {
        assertThat(AlertLabels.of(lag("orders"))).containsExactly(Map.entry("rule", "replication-lag"), Map.entry("severity", "warning"),
                Map.entry("component", "orders-db"), Map.entry("cluster", "orders"), Map.entry("node", "pg-2"));
    }
}
