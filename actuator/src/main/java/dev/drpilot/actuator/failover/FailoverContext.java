package dev.drpilot.actuator.failover;

import dev.drpilot.config.ClusterConfig;
import dev.drpilot.config.NodeConfig;

import java.time.Instant;
import java.util.Optional;

/**
 * What the steps of one failover share: the incident, the cluster, the primary that failed and
 * the candidate the check step chose. The check step sets the candidate; later steps read it.
 */
public final class FailoverContext {
    private final String incidentId;
    private final ClusterConfig cluster;
    private final Optional<NodeConfig> failedPrimary;
    private final Instant detectedAt;
    private final boolean force;
    private NodeConfig candidate;

    public FailoverContext(String incidentId, ClusterConfig cluster, Optional<NodeConfig> failedPrimary, Instant detectedAt, boolean force) {
        this.incidentId = incidentId;
        this.cluster = cluster;
        this.failedPrimary = failedPrimary;
        this.detectedAt = detectedAt;
        this.force = force;
    }

    public String incidentId() {
        return incidentId;
    }

    public ClusterConfig cluster() {
        return cluster;
    }

    /** The primary found down; empty for a planned switchover from a healthy primary. */
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
}
