package dev.drpilot.config;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Alertmanager's inhibition: while an alert matching {@code source} fires, alerts matching {@code target} that carry the
 * same values of every {@code equal} label are not delivered (an alert is never inhibited by itself).
 */
public record InhibitRule(Matchers source, Matchers target, List<String> equal) {
    public InhibitRule {
        equal = List.copyOf(equal);
    }

    /**
     * The default: a cluster's {@code primary-down} inhibits that cluster's replication-lag and probe alerts (a replica of
     * a dead primary lags, and its probes fail, because of the one incident that already pages).
     */
    public static final List<InhibitRule> DEFAULTS = List.of(new InhibitRule(
            new Matchers(Map.of("rule", Set.of("primary-down"))),
            new Matchers(Map.of("rule", Set.of("replication-lag", "database-refuses", "primary-unconfirmed"))),
            List.of("cluster")));

    /** True when {@code source}'s labels inhibit {@code target}'s under this rule. */
    public boolean inhibits(Map<String, String> source, Map<String, String> target) {
        if (!this.source.matches(source) || !this.target.matches(target)) {
            return false;
        }
        for (String label : equal) {
            // Alertmanager: a label missing on both sides is equal; here an alert without a cluster inhibits no cluster's.
            if (!Objects.equals(source.get(label), target.get(label))) {
                return false;
            }
        }
        return true;
    }
}
