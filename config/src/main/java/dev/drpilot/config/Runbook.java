package dev.drpilot.config;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** An ordered list of failover steps; a failed step stops the runbook. */
public record Runbook(String name, List<Step> steps) {
    public Runbook {
        steps = List.copyOf(steps);
    }

    /** @param spec what the step does, with its options ({@link StepRegistry} lists every kind) */
    public record Step(StepSpec spec, Duration timeout) {
        public Step {
            Objects.requireNonNull(spec, "spec");
            StepRegistry.kindOf(spec);
        }

        public Type type() {
            return StepRegistry.kindOf(spec).type();
        }

        /** Empty for a type without methods (check, verify, notify). */
        public Optional<String> method() {
            return StepRegistry.kindOf(spec).method();
        }

        /** The step's options as a runbook writes them, method first: what {@code drpilot config check} prints. */
        public Map<String, String> options() {
            Map<String, String> options = new LinkedHashMap<>();
            method().ifPresent(method -> options.put("method", method));
            options.putAll(spec.options());
            return Collections.unmodifiableMap(options);
        }
    }

    public enum Type { CHECK, FENCE, PROMOTE, REPOINT, VERIFY, NOTIFY }
}
