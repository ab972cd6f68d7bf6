package dev.drpilot.detector.rules;

import dev.drpilot.detector.alert.AlertDraft;
import dev.drpilot.detector.alert.Alerts;

import java.util.List;

/**
 * The page the primary-down rule sends when every vantage that reports sees the primary down but
 * they are fewer than the quorum: drpilot cannot confirm the failure, so it does not fail over,
 * and a person must look. CRITICAL, like primary-down itself: as far as anyone can see the
 * database is down, and nothing will act on it automatically.
 */
final class PrimaryUnconfirmed {
    static final String NAME = "primary-unconfirmed";

    private PrimaryUnconfirmed() {
    }

    static AlertDraft draft(String cluster, String component, String node, List<PrimaryWatch.Vantage> seeing, int quorum) {
        String summary = "Primary " + node + " of " + cluster + " looks down, but too few vantages report to confirm it";
        String description = seeing.isEmpty() ? "" : "Primary " + node + " of " + cluster + " fails from every vantage that reports ("
                + String.join("; ", seeing.stream().map(PrimaryWatch.Vantage::describe).toList()) + "), but they are " + seeing.size()
                + " of the " + quorum + " distinct vantages failover.quorum needs. "
                + "drpilot cannot confirm the failure and will not fail over: check the primary yourself, bring back the silent "
                + "collectors or replicas, and fail over by hand (drpilot switchover) if it is down.";
        return new AlertDraft(NAME, "PrimaryUnconfirmed", Alerts.identity("component", component, "cluster", cluster, "node", node),
                summary, description, (double) seeing.size(), (double) quorum, "vantages", null);
    }

    /**
     * The same page when a quorum of remote vantages sees the primary down but its own agent, on its host, says it
     * answers: a partition between the probes and the host, not a crash. No failover while the agent says so — its
     * word lapses when it stops publishing (cut off from Kafka, or gone with its host), and the quorum then decides.
     */
    static AlertDraft heldBack(String cluster, String component, String node, List<PrimaryWatch.Vantage> down, PrimaryWatch.Vantage agent) {
        String summary = "Primary " + node + " of " + cluster + " looks down from the probes, but its agent sees it answer";
        String description = "Primary " + node + " of " + cluster + " fails from " + down.size() + " vantages ("
                + String.join("; ", down.stream().map(PrimaryWatch.Vantage::describe).toList()) + "), but its agent on the host says it "
                + "answers (" + agent.describe() + ", at " + agent.lastAt + "): the probes are cut off from the host, it did not crash. "
                + "drpilot does not fail over while the agent says so: check the network between the probes, the clients and the host.";
        return new AlertDraft(NAME, "PrimaryUnconfirmed", Alerts.identity("component", component, "cluster", cluster, "node", node),
                summary, description, (double) down.size(), (double) down.size(), "vantages", null);
    }
}
