package dev.drpilot.detector.rules;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the primary-down rule knows of one cluster: which node is primary, what each vantage last
 * saw of it, and the open incident, if any. Kept per cluster in a changelogged store.
 *
 * <p>Two kinds of vantage: a health probe's collector ({@code probe:<vantage>}), which must see
 * {@code holdProbes} consecutive failures, and a replica whose WAL receiver stopped streaming
 * ({@code replica:<node>}), whose one report is evidence because the receiver only gives up when
 * the connection to its primary broke. Replicas corroborate but never decide alone: after a
 * failover a replica still pointed at the old primary reports "lost" about a healthy new one.
 */
public final class PrimaryWatch {
    public String primary;
    public Map<String, Vantage> vantages = new TreeMap<>();
    public Incident incident;
    public Instant newest;

    /** One vantage's view of the current primary. */
    public static final class Vantage {
        public String collectorId;
        public String vantage;
        public boolean replica;
        public int failures;
        public Instant firstFailureAt;
        public Instant lastAt;
        public String detail;

        boolean down(int holdProbes) {
            return replica ? failures >= 1 : failures >= holdProbes;
        }
    }

    /** A confirmed outage of the primary: opened once, closed when it answers again or another node became primary. */
    public static final class Incident {
        public String id;
        public String node;
        public Instant detectedAt;
        public Instant confirmedAt;
        public List<String> evidence = new ArrayList<>();
    }

    /** Records one vantage's view; returns false when the observation is older than the vantage's last one (late: ignored). */
    boolean see(String key, String collectorId, String vantageName, boolean replica, boolean failing, Instant at, String detail) {
        Vantage vantage = vantages.computeIfAbsent(key, k -> new Vantage());
        if (vantage.lastAt != null && at.isBefore(vantage.lastAt)) {
            return false;
        }
        vantage.collectorId = collectorId;
        vantage.vantage = vantageName;
        vantage.replica = replica;
        vantage.lastAt = at;
        vantage.detail = detail;
        if (failing) {
            if (vantage.failures == 0) {
                vantage.firstFailureAt = at;
            }
            vantage.failures++;
        } else {
            vantage.failures = 0;
            vantage.firstFailureAt = null;
        }
        touch(at);
        return true;
    }

    void touch(Instant at) {
        if (newest == null || at.isAfter(newest)) {
            newest = at;
        }
    }

    /**
     * The time freshness is judged at: the newest observation of this cluster, but never later than
     * the detector's stream time (when Kafka received the records), which no observation's own
     * stamp can move. A record stamped in the future therefore cannot make honest evidence stale.
     */
    Instant now(Instant streamTime) {
        return newest == null || newest.isAfter(streamTime) ? streamTime : newest;
    }

    /** Vantages heard from within {@code maxAge} before {@code now}; older verdicts no longer count. */
    List<Vantage> fresh(Instant now, Duration maxAge) {
        Instant cutoff = now.minus(maxAge);
        return vantages.values().stream().filter(v -> v.lastAt != null && !v.lastAt.isBefore(cutoff)).toList();
    }

    /**
     * The vantages that confirm the primary is down, or an empty list when they do not reach the
     * quorum: at least {@code quorum} distinct fresh vantages see it down, and at least one of them
     * is a health probe. Fewer vantages reporting never lower the bar (see {@link #unconfirmed}).
     */
    List<Vantage> confirming(int quorum, int holdProbes, Instant now, Duration maxAge) {
        List<Vantage> down = fresh(now, maxAge).stream().filter(v -> v.down(holdProbes)).toList();
        boolean probeConfirms = down.stream().anyMatch(v -> !v.replica);
        return down.size() >= quorum && probeConfirms ? down : List.of();
    }

    /**
     * The vantages that see the primary down when the failure cannot be confirmed: every fresh
     * vantage sees it down (a probe vantage among them, as for a confirmation), but they are fewer
     * than {@code quorum}. Empty otherwise — also when a fresh vantage still sees the primary answer.
     */
    List<Vantage> unconfirmed(int quorum, int holdProbes, Instant now, Duration maxAge) {
        List<Vantage> fresh = fresh(now, maxAge);
        boolean allDown = !fresh.isEmpty() && fresh.stream().allMatch(v -> v.down(holdProbes));
        boolean probeSees = fresh.stream().anyMatch(v -> !v.replica);
        return fresh.size() < quorum && allDown && probeSees ? fresh : List.of();
    }

    /** True when no fresh vantage sees the primary failing any more. */
    boolean recovered(Instant now, Duration maxAge) {
        List<Vantage> fresh = fresh(now, maxAge);
        return !fresh.isEmpty() && fresh.stream().noneMatch(v -> v.failures > 0);
    }

    /** Another node is primary now: what was seen of the old one no longer applies. */
    void newPrimary(String node) {
        primary = node;
        vantages.clear();
    }
}
