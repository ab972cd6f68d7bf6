package dev.drpilot.config;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which receivers get an alert. Routes are tried in order; the first that matches wins, unless it
 * says {@code continue: true}, in which case later routes are tried too. Within a match, every
 * given criterion must hold; within one criterion, any listed value may match.
 */
public record Route(Match match, List<String> receivers, @JsonProperty("continue") boolean continueMatching) {
    public Route {
        receivers = List.copyOf(receivers);
    }

    public record Match(Set<String> severity, Set<String> rule, Set<String> component, Map<String, String> labels) {
        public Match {
            severity = InOrder.copyOf(severity);
            rule = InOrder.copyOf(rule);
            component = InOrder.copyOf(component);
            labels = InOrder.copyOf(labels);
        }

        public static Match everything() {
            return new Match(Set.of(), Set.of(), Set.of(), Map.of());
        }
    }
}
