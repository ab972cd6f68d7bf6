package dev.drpilot.notify.silence;

import dev.drpilot.config.InhibitRule;
import dev.drpilot.config.MaintenanceWindow;
import dev.drpilot.events.Alert;
import dev.drpilot.events.Silence;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Decides whether an alert is held back now, and by what: a silence in force that matches it, else an open maintenance
 * window that matches it, else an inhibition rule with a firing source alert (Alertmanager's order of reasons). Routing's
 * job: detectors keep emitting, receivers' workers ask this before delivering.
 *
 * @param silences    the silences in force at an instant
 * @param firing      the alerts firing now (every alert, whatever the routes say), the sources of inhibition
 * @param resolvedAt  when an alert last resolved, if its newest record read is a RESOLVED
 * @param firingKnown true once {@code firing} has read the whole alerts topic; before, nothing is judged resolved
 * @param recheck     how often a held alert whose end is unknown (or may come early: a silence expired by hand) is looked at again
 */
public record Muting(List<MaintenanceWindow> windows, List<InhibitRule> inhibit, Function<Instant, Collection<Silence>> silences,
                     Supplier<Collection<Alert>> firing, Function<String, Optional<Instant>> resolvedAt, BooleanSupplier firingKnown,
                     Duration recheck) {
    /** Holds nothing back: a worker built without silencing. */
    public static final Muting NONE = new Muting(List.of(), List.of(), now -> List.of(), List::of, fingerprint -> Optional.empty(),
            () -> false, Duration.ofSeconds(10));

    public Muting {
        windows = List.copyOf(windows);
        inhibit = List.copyOf(inhibit);
    }

    public Optional<Mute> muteOf(Alert alert, Instant now) {
        Map<String, String> labels = AlertLabels.of(alert);
        for (Silence silence : silences.apply(now)) {
            if (Silences.isActive(silence, now) && Silences.matchers(silence).matches(labels)) {
                return Optional.of(new Mute(Mute.Kind.SILENCE, silence.getId(), "silence " + silence.getId() + " by " + silence.getCreatedBy()
                        + " until " + silence.getEndsAt() + ": " + silence.getComment(), Optional.of(silence.getEndsAt())));
            }
        }
        for (MaintenanceWindow window : windows) {
            if (window.match().isEmpty() || !window.match().matches(labels)) {
                continue;
            }
            Optional<Instant> until = window.openUntil(now);
            if (until.isPresent()) {
                return Optional.of(new Mute(Mute.Kind.MAINTENANCE, window.name(), "maintenance window " + window.name() + " until "
                        + until.get(), until));
            }
        }
        if (!inhibit.isEmpty()) {
            for (Alert source : firing.get()) {
                if (source.getFingerprint().equals(alert.getFingerprint())) {
                    continue;
                }
                Map<String, String> sourceLabels = AlertLabels.of(source);
                for (InhibitRule rule : inhibit) {
                    if (rule.inhibits(sourceLabels, labels)) {
                        return Optional.of(new Mute(Mute.Kind.INHIBITION, source.getFingerprint(), "inhibited by " + source.getRule()
                                + (source.getCluster() == null ? "" : " of cluster " + source.getCluster()) + " (" + source.getFingerprint() + ")",
                                Optional.empty()));
                    }
                }
            }
        }
        return Optional.empty();
    }

    /**
     * False only when the alert is known to have resolved since this FIRING was emitted (a RESOLVED emitted no earlier
     * has been read). While that is not known (the topic not yet read, or not yet this far), it counts as firing: a page
     * late is better than a page lost.
     */
    public boolean stillFiring(Alert alert) {
        if (!firingKnown.getAsBoolean()) {
            return true;
        }
        return resolvedAt.apply(alert.getFingerprint()).filter(resolved -> !resolved.isBefore(alert.getEmittedAt())).isEmpty();
    }

    /** When a held alert is looked at again: at its mute's end, or after {@link #recheck} if sooner. */
    public Instant nextLook(Mute mute, Instant now) {
        Instant soon = now.plus(recheck);
        return mute.until().filter(until -> until.isBefore(soon)).orElse(soon);
    }
}
