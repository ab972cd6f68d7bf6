package dev.drpilot.config;

import java.time.Duration;

/**
 * Detection thresholds that apply to every component unless a component or cluster overrides them.
 *
 * @param lagHold                how long lag must stay over the threshold before the alert fires
 * @param resolveHold            how long a condition must stay clear before the alert resolves (no flapping)
 * @param recoveryPointGrace     after start-up, how long to wait for a first backup report before "no recovery point" fires
 * @param collectorSilenceFactor a collector is silent after this many missed heartbeat intervals
 */
public record Thresholds(Duration replicationLag, long replicationLagBytes, Duration lagHold, Duration resolveHold,
                         Duration recoveryPointGrace, int collectorSilenceFactor) {
}
