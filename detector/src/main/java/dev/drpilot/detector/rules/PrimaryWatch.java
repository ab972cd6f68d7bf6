package dev.drpilot.detector.rules;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 *
 * <p>A third kind: the node's own agent ({@code agent:<node>}), on the database host. Its {@code down} (no postmaster)
 * is certain: with one remote vantage whose newest view is a failure, and none that saw the node answer since, it
 * confirms at once. Its {@code not-answering} is one failed vantage once it has lasted as long as {@code holdProbes}
 * remote probes would ({@link #AGENT_BLIP_SPACING} apart): a frozen server is not a crash. Its fresh {@code up} holds
 * back a quorum of remote failures (a partition between the probes and the host, not a crash), but only while it is no
 * older than the agent's publishing interval plus slack: an agent cut off from Kafka, or gone with its host, publishes
 * nothing, and its last word must not stand in for it.
 */
public final class PrimaryWatch {
    /**
     * How far apart the collectors probe a database node by default: an agent's {@code not-answering} counts once it has
     * lasted {@code (holdProbes - 1)} times this, the span of {@code holdProbes} consecutive failed remote probes.
     */
    static final Duration AGENT_BLIP_SPACING = Duration.ofSeconds(2);
    /** How much later than its publishing interval an agent's "alive" may arrive and still hold a quorum back. */
    static final Duration AGENT_SLACK = Duration.ofSeconds(1);

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
        /** The node's own agent, on its host. */
        public boolean agent;
        /** Since when the agent has said {@code down} (certain), or null. */
        public Instant certainSince;
        /** How long the agent's newest "alive" holds a quorum of remote failures back: its publishing interval plus slack. */
        public long vouchesForMillis;

        boolean down(int holdProbes, Instant now) {
            if (replica) {
                return failures >= 1;
            }
            if (agent) {
                return certainSince != null || failures > 0 && firstFailureAt != null
                        && !firstFailureAt.plus(AGENT_BLIP_SPACING.multipliedBy(Math.max(0, holdProbes - 1))).isAfter(now);
            }
            return failures >= holdProbes;
        }

        /** The agent's fresh word that its server answers: no crash, whatever the remote vantages see. */
        boolean vouches(Instant now) {
            return agent && failures == 0 && lastAt != null && !lastAt.plusMillis(vouchesForMillis).isBefore(now);
        }

        String describe() {
            return vantage + ": " + detail + (replica || agent ? "" : " (" + failures + " consecutive)");
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

    /**
     * Records what the node's own agent said; returns false when older than its last word (late: ignored).
     * {@code vouchesFor}: how long its "alive" holds remote failures back (its publishing interval plus slack).
     */
    boolean seeAgent(String key, String collectorId, String vantageName, AgentVerdict verdict, Duration vouchesFor, Instant at, String detail) {
        Vantage before = vantages.get(key);
        Instant certainBefore = before == null ? null : before.certainSince;
        if (!see(key, collectorId, vantageName, false, verdict.failing(), at, detail)) {
            return false;
        }
        Vantage vantage = vantages.get(key);
        vantage.agent = true;
        vantage.vouchesForMillis = vouchesFor.toMillis();
        vantage.certainSince = verdict != AgentVerdict.DOWN ? null : certainBefore != null ? certainBefore : at;
        return true;
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
     * The vantages that confirm the primary is down, or an empty list when they do not: the node's own agent says
     * {@code down} and a remote vantage sees it failing ({@link #confirmedByAgent}); or, unless the agent vouches that
     * it answers, at least {@code quorum} distinct fresh vantages see it down and at least one of them is a health probe
     * (the agent's own probe counts as one). Fewer vantages reporting never lower the bar (see {@link #unconfirmed}).
     */
    List<Vantage> confirming(int quorum, int holdProbes, Instant now, Duration maxAge) {
        List<Vantage> fresh = fresh(now, maxAge);
        Optional<Vantage> agent = fresh.stream().filter(v -> v.agent).findFirst();
        if (agent.isPresent() && agent.get().certainSince != null) {
            List<Vantage> certain = confirmedByAgent(agent.get(), fresh);
            if (!certain.isEmpty()) {
                return certain;
            }
        }
        if (agent.isPresent() && agent.get().vouches(now)) {
            return List.of();
        }
        return quorumDown(fresh, quorum, holdProbes, now);
    }

    /**
     * The agent's certain {@code down} with every remote vantage whose newest view is a failure — at least one, and
     * none that saw the node answer (or a replica stream from it) at or after the agent first said down: then the
     * agent is wrong (a wrong data directory), not the node dead. Empty otherwise.
     */
    private static List<Vantage> confirmedByAgent(Vantage agent, List<Vantage> fresh) {
        List<Vantage> remote = fresh.stream().filter(v -> !v.agent).toList();
        boolean contradicted = remote.stream().anyMatch(v -> v.failures == 0 && !v.lastAt.isBefore(agent.certainSince));
        List<Vantage> failing = remote.stream().filter(v -> v.failures > 0).toList();
        if (contradicted || failing.isEmpty()) {
            return List.of();
        }
        List<Vantage> confirming = new ArrayList<>();
        confirming.add(agent);
        confirming.addAll(failing);
        return confirming;
    }

    private static List<Vantage> quorumDown(List<Vantage> fresh, int quorum, int holdProbes, Instant now) {
        List<Vantage> down = fresh.stream().filter(v -> v.down(holdProbes, now)).toList();
        boolean probeConfirms = down.stream().anyMatch(v -> !v.replica);
        return down.size() >= quorum && probeConfirms ? down : List.of();
    }

    /**
     * The remote vantages that would confirm the primary down but for its agent, which vouches that it answers (a
     * partition between the probes and the host); empty when nothing is held back.
     */
    List<Vantage> heldBack(int quorum, int holdProbes, Instant now, Duration maxAge) {
        List<Vantage> fresh = fresh(now, maxAge);
        boolean vouched = fresh.stream().anyMatch(v -> v.vouches(now));
        return vouched && confirming(quorum, holdProbes, now, maxAge).isEmpty() ? quorumDown(fresh, quorum, holdProbes, now) : List.of();
    }

    /**
     * The vantages that see the primary down when the failure cannot be confirmed: every fresh
     * vantage sees it down (a probe vantage among them, as for a confirmation), but they are fewer
     * than {@code quorum}. Empty otherwise — also when a fresh vantage still sees the primary answer.
     */
    List<Vantage> unconfirmed(int quorum, int holdProbes, Instant now, Duration maxAge) {
        List<Vantage> fresh = fresh(now, maxAge);
        boolean allDown = !fresh.isEmpty() && fresh.stream().allMatch(v -> v.down(holdProbes, now));
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
