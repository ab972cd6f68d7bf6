package dev.drpilot.config;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The detection thresholds and the RPO in force for one component, and the comparisons of a figure
 * with them: the one definition of "over the threshold" that the detector's rules (which add holds
 * and hysteresis over time) and the status page (which shows the state at this instant) share, so
 * that the page never calls healthy what the alerts call breached, or the other way round.
 *
 * <p>Every comparison is strict: a figure exactly at its threshold is not over it.
 *
 * @param thresholds the component's thresholds: the top-level ones with its own overrides
 * @param rpo        how much data the component may lose; empty when it has no RPO (nothing to breach)
 */
public record ComponentLimits(Thresholds thresholds, Optional<Duration> rpo) {
    /**
     * The fraction of a lag threshold below which a firing lag alert clears: a lag hovering at the
     * threshold must not flap.
     */
    public static final double LAG_HYSTERESIS = 0.9;

    public static ComponentLimits of(Component component) {
        return new ComponentLimits(component.thresholds(), component.rpo());
    }

    /**
     * A component the configuration does not name (the collectors still report it): the top-level
     * thresholds, and no RPO.
     */
    public static ComponentLimits unconfigured(DrpilotConfig config) {
        return new ComponentLimits(config.thresholds(), Optional.empty());
    }

    public boolean lagSecondsOver(double seconds) {
        return seconds > lagThresholdSeconds();
    }

    public boolean lagBytesOver(long bytes) {
        return bytes > thresholds.replicationLagBytes();
    }

    /** Either figure over its threshold: the lag condition holds. A missing figure is passed as 0. */
    public boolean lagOver(double seconds, long bytes) {
        return lagSecondsOver(seconds) || lagBytesOver(bytes);
    }

    /** Either figure over {@link #LAG_HYSTERESIS} of its threshold: a firing lag alert keeps firing. */
    public boolean lagStillOver(double seconds, long bytes) {
        return seconds > lagThresholdSeconds() * LAG_HYSTERESIS || bytes > thresholds.replicationLagBytes() * LAG_HYSTERESIS;
    }

    /** Lag beyond the RPO: a failover now would lose more data than the plan allows (the lag alert's CRITICAL case). */
    public boolean lagOverRpo(double seconds) {
        return rpo.isPresent() && seconds > rpo.get().toMillis() / 1000.0;
    }

    public double lagThresholdSeconds() {
        return thresholds.replicationLag().toMillis() / 1000.0;
    }

    /** The newest recovery point is older than the RPO; never, for a component without one. */
    public boolean recoveryPointOverRpo(Instant recoveryPoint, Instant now) {
        return rpo.isPresent() && Duration.between(recoveryPoint, now).compareTo(rpo.get()) > 0;
    }

    /** No recovery point at all, for longer than {@code recoveryPointGrace} since watching began: silence must not look like health. */
    public boolean noRecoveryPointTooLong(Instant watchedSince, Instant now) {
        return rpo.isPresent() && Duration.between(watchedSince, now).compareTo(thresholds.recoveryPointGrace()) > 0;
    }
}
