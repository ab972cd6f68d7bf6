package dev.drpilot.ingest;

/** Who observed something, and from where: stamped on every observation and heartbeat. */
public record CollectorIdentity(String collectorId, String vantage, String version) {
}
