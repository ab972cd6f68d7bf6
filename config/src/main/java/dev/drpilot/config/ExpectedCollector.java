package dev.drpilot.config;

import java.time.Duration;

/**
 * A collector the detectors expect heartbeats from. Collectors that send heartbeats are watched
 * anyway; naming one here also catches a collector that never started at all.
 */
public record ExpectedCollector(String id, Duration heartbeatInterval) {
}
