package dev.drpilot.failover;

import dev.drpilot.config.ClusterConfig;
import dev.drpilot.config.NodeConfig;

import dev.drpilot.failover.steps.FenceEvidence;

import java.time.Instant;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * What the steps of one failover share: the incident, the cluster, the primary that failed and
 * the candidate the check step chose. The check step sets the candidate; later steps read it.
 */
public final class FailoverContext {
    private final String incidentId;
    private final ClusterConfig cluster;
    private Optional<NodeConfig> failedPrimary;
    private final Optional<String> switchoverTarget;
    private final Instant detectedAt;
    private final boolean force;
    private NodeConfig candidate;
    private final Set<FenceEvidence> fenced = EnumSet.noneOf(FenceEvidence.class);

    public FailoverContext(String incidentId, ClusterConfig cluster, Optional<NodeConfig> failedPrimary, Instant detectedAt, boolean force) {
        this(incidentId, cluster, failedPrimary, detectedAt, force, Optional.empty());
    }

    /** @param switchoverTarget for a planned switchover, the node an operator chose; the primary is then found, not failed */
    public FailoverContext(String incidentId, ClusterConfig cluster, Optional<NodeConfig> failedPrimary, Instant detectedAt, boolean force,
                           Optional<String> switchoverTarget) {
        this.incidentId = incidentId;
        this.cluster = cluster;
        this.failedPrimary = failedPrimary;
        this.detectedAt = detectedAt;
        this.force = force;
        this.switchoverTarget = switchoverTarget;
    }

    /** The node an operator asked to switch over to; empty for a failover. */
    public Optional<String> switchoverTarget() {
        return switchoverTarget;
    }

    /** A switchover found the primary it replaces: it is fenced, caught up with, and left behind like a failed one. */
    public void replacingPrimary(NodeConfig primary) {
        this.failedPrimary = Optional.of(primary);
    }

    public String incidentId() {
        return incidentId;
    }

    public ClusterConfig cluster() {
        return cluster;
    }

    /** The primary being replaced: found down (failover), or found by the check step (switchover). */
    public Optional<NodeConfig> failedPrimary() {
        return failedPrimary;
    }

    public Instant detectedAt() {
        return detectedAt;
    }

    /** The operator overrode the lag bound. */
    public boolean force() {
        return force;
    }

    /** The replica to promote, once the check step chose it. */
    public NodeConfig candidate() {
        if (candidate == null) {
            throw new IllegalStateException("no candidate chosen yet for " + incidentId + ": the runbook needs a check step before this one");
        }
        return candidate;
    }

    public Optional<NodeConfig> chosenCandidate() {
        return Optional.ofNullable(candidate);
    }

    public void chooseCandidate(NodeConfig node) {
        this.candidate = node;
    }

    /** Takes in what a fence step recorded ({@code fenced}), run now or restored from its record; other values are ignored. */
    public void recordFence(String fenced) {
        FenceEvidence.of(fenced).ifPresent(this.fenced::add);
    }

    /** What the fence steps so far found out about the old primary: what a promotion is judged on. */
    public Set<FenceEvidence> fenceEvidence() {
        return Set.copyOf(fenced);
    }
}
