package dev.drpilot.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/** An ordered list of failover steps; a failed step stops the runbook. */
public record Runbook(String name, List<Step> steps) {
    public Runbook {
        steps = List.copyOf(steps);
    }

    /**
     * @param options the step type's own settings (fence: method, command; promote: method;
     *                repoint: method, namespace, deployment, env, configMap, key, hostedZoneId, recordName, ttl)
     */
    public record Step(Type type, Duration timeout, Map<String, String> options) {
        public Step {
            options = Map.copyOf(options);
        }
    }

    public enum Type { CHECK, FENCE, PROMOTE, REPOINT, VERIFY, NOTIFY }
}
