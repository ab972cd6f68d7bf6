package dev.drpilot.config;

import java.time.Duration;

/**
 * Identity of this collector process, stamped on every observation it publishes.
 *
 * @param vantage where it observes from; quorum rules count distinct vantages
 */
public record CollectorSettings(String id, String vantage, Duration heartbeatInterval) {
}
