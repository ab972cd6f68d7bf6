package dev.drpilot.config;

import java.time.Duration;
import java.util.Optional;

/**
 * A part of the system with recovery targets: how long it may be down (RTO) and how much data it
 * may lose (RPO).
 *
 * @param thresholds the detection thresholds in force for this component: the top-level ones with its own overrides
 */
public record Component(String name, Kind kind, Duration rto, Optional<Duration> rpo, Optional<String> cluster,
                        Thresholds thresholds) {

    /** The DR plan's component kinds, with its targets as defaults. */
    public enum Kind {
        DATABASE(Duration.ofMinutes(15), Duration.ofMinutes(5)),
        APPLICATION(Duration.ofMinutes(5), null),
        DATA(Duration.ofHours(1), Duration.ofMinutes(15)),
        DNS(Duration.ofMinutes(5), null);

        private final Duration defaultRto;
        private final Duration defaultRpo;

        Kind(Duration defaultRto, Duration defaultRpo) {
            this.defaultRto = defaultRto;
            this.defaultRpo = defaultRpo;
        }

        public Duration defaultRto() {
            return defaultRto;
        }

        public Optional<Duration> defaultRpo() {
            return Optional.ofNullable(defaultRpo);
        }
    }
}
