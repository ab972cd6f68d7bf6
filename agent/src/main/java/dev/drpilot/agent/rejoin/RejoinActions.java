package dev.drpilot.agent.rejoin;

import dev.drpilot.agent.rejoin.RejoinReport.Outcome;
import dev.drpilot.events.ActionKind;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.ActionStatus;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A rejoin's report as the record on drpilot.actions (kind REJOIN, name {@code rejoin}): the outcome as the status,
 * the report in words as the detail, and its figures as attributes — the divergence point, the discarded WAL range
 * and its writes per relation ({@code discarded.rel.<relation>}), the kept-aside directory, the phase durations.
 */
public final class RejoinActions {
    public static final String NAME = "rejoin";

    private RejoinActions() {
    }

    /** {@code incidentId}: the failover that made the rejoin necessary, when known. */
    public static ActionRecord record(RejoinReport report, String actionId, String cluster, Optional<String> incidentId) {
        return ActionRecord.newBuilder()
                .setActionId(actionId)
                .setKind(ActionKind.REJOIN)
                .setName(NAME)
                .setStatus(status(report.outcome()))
                .setCluster(cluster)
                .setIncidentId(incidentId.orElse(null))
                .setStartedAt(report.startedAt())
                .setFinishedAt(report.finishedAt())
                .setDetail(report.describe())
                .setAttributes(attributes(report))
                .build();
    }

    static ActionStatus status(Outcome outcome) {
        switch (outcome) {
            case SUCCEEDED:
                return ActionStatus.SUCCEEDED;
            case REFUSED:
                return ActionStatus.REFUSED;
            default:
                return ActionStatus.FAILED;
        }
    }

    public static Map<String, String> attributes(RejoinReport report) {
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("node", report.node());
        attributes.put("source", report.source());
        attributes.put("method", report.method().name());
        report.divergence().ifPresent(divergence -> {
            attributes.put("divergence.lsn", divergence.lsn().toString());
            attributes.put("divergence.timeline", Integer.toString(divergence.timeline()));
            attributes.put("source.timeline", Integer.toString(divergence.sourceTimeline()));
        });
        report.discarded().ifPresent(discarded -> {
            attributes.put("discarded.from", discarded.from().toString());
            discarded.unreadable().ifPresentOrElse(why -> attributes.put("discarded.unreadable", why), () -> {
                attributes.put("discarded.to", discarded.to().toString());
                attributes.put("discarded.bytes", Long.toString(discarded.bytes()));
                attributes.put("discarded.transactions", Integer.toString(discarded.committedTransactions()));
                attributes.put("discarded.uncommittedChanges", Long.toString(discarded.uncommittedChanges()));
                discarded.relations().forEach(relation -> attributes.put("discarded.rel." + relation.relation(),
                        relation.changes()));
            });
        });
        report.keptAside().ifPresent(kept -> {
            attributes.put("keptAside.path", kept.path().toString());
            attributes.put("keptAside.bytes", Long.toString(kept.bytes()));
        });
        report.phases().forEach(phase -> attributes.put("phase." + phase.phase() + ".ms", Long.toString(phase.took().toMillis())));
        report.streaming().ifPresent(streaming -> attributes.put("streaming.from", streaming.sender()));
        attributes.put("errors", Integer.toString(report.errors().size()));
        attributes.put("retriable", Boolean.toString(report.retriable()));
        return attributes;
    }
}
