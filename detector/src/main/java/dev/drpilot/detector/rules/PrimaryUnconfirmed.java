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
                + String.join("; ", seeing.stream().map(v -> v.vantage + ": " + v.detail + (v.replica ? "" : " (" + v.failures + " consecutive)"))
                .toList()) + "), but they are " + seeing.size() + " of the " + quorum + " distinct vantages failover.quorum needs. "
                + "drpilot cannot confirm the failure and will not fail over: check the primary yourself, bring back the silent "
                + "collectors or replicas, and fail over by hand (drpilot switchover) if it is down.";
        return new AlertDraft(NAME, "PrimaryUnconfirmed", Alerts.identity("component", component, "cluster", cluster, "node", node),
                summary, description, (double) seeing.size(), (double) quorum, "vantages", null);
    }
}
