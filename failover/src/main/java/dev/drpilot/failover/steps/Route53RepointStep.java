package dev.drpilot.failover.steps;

import dev.drpilot.config.NodeConfig;
import dev.drpilot.failover.FailoverContext;
import dev.drpilot.failover.FailoverStep;
import dev.drpilot.failover.StepFailedException;
import dev.drpilot.failover.StepOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.route53.model.Change;
import software.amazon.awssdk.services.route53.model.ChangeAction;
import software.amazon.awssdk.services.route53.model.ChangeInfo;
import software.amazon.awssdk.services.route53.model.ChangeStatus;
import software.amazon.awssdk.services.route53.model.ResourceRecord;
import software.amazon.awssdk.services.route53.model.ResourceRecordSet;
import software.amazon.awssdk.services.route53.model.RRType;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Points a DNS name at the new primary: one {@code ChangeResourceRecordSets} UPSERT of
 * {@code recordName} in hosted zone {@code hostedZoneId} ({@code A} for an IPv4 host, {@code AAAA}
 * for IPv6, else {@code CNAME}), then {@code GetChange} until Route 53 reports the change
 * {@code INSYNC} on all its name servers.
 *
 * <p>When the name holds a record of another of these types (a CNAME to be replaced by an A), the
 * same change batch deletes it: Route 53 applies a batch atomically, and refuses an A beside a CNAME.
 */
public final class Route53RepointStep implements FailoverStep {
    private static final Logger log = LoggerFactory.getLogger(Route53RepointStep.class);
    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");
    private static final List<RRType> ADDRESS_TYPES = List.of(RRType.A, RRType.AAAA, RRType.CNAME);

    private final Route53Client route53;
    private final String hostedZoneId;
    private final String recordName;
    private final long ttl;
    private final Backoff backoff;

    public Route53RepointStep(Route53Client route53, String hostedZoneId, String recordName, long ttl) {
        this(route53, hostedZoneId, recordName, ttl, Backoff.DEFAULT);
    }

    Route53RepointStep(Route53Client route53, String hostedZoneId, String recordName, long ttl, Backoff backoff) {
        this.route53 = route53;
        // The console and the API show zone ids as "/hostedzone/Z..."; the request path wants the bare id.
        this.hostedZoneId = hostedZoneId.replaceFirst("^/?hostedzone/", "");
        this.recordName = recordName;
        this.ttl = ttl;
        this.backoff = backoff;
    }

    @Override
    public String describe() {
        return "repoint route53";
    }

    @Override
    public String plan(FailoverContext context) {
        return context.chosenCandidate()
                .map(candidate -> "would UPSERT " + recordName + " " + typeFor(candidate.host()) + " " + candidate.host() + " (TTL " + ttl
                        + ") in hosted zone " + hostedZoneId + " and wait until INSYNC")
                .orElse("would UPSERT " + recordName + " in hosted zone " + hostedZoneId + " to the chosen candidate and wait until INSYNC");
    }

    @Override
    public boolean alreadyDone(FailoverContext context) throws StepFailedException, InterruptedException {
        NodeConfig candidate = context.candidate();
        AwsCalls calls = new AwsCalls(backoff, Deadline.after(Duration.ofSeconds(30)), LogPrefix.of(context, "repoint", "route53"));
        return existing(calls).stream().anyMatch(set -> pointsAt(set, candidate.host()));
    }

    @Override
    public StepOutcome run(FailoverContext context, Duration timeout) throws StepFailedException, InterruptedException {
        String prefix = LogPrefix.of(context, "repoint", "route53");
        Deadline deadline = Deadline.after(timeout);
        AwsCalls calls = new AwsCalls(backoff, deadline, prefix);
        String value = context.candidate().host();
        RRType type = typeFor(value);

        List<Change> changes = new ArrayList<>();
        List<ResourceRecordSet> existing = existing(calls);
        for (ResourceRecordSet other : existing) {
            if (other.type() != type) {
                changes.add(Change.builder().action(ChangeAction.DELETE).resourceRecordSet(other).build());
            }
        }
        String previous = existing.stream().flatMap(set -> set.resourceRecords().stream()).map(ResourceRecord::value).findFirst().orElse("");
        changes.add(Change.builder().action(ChangeAction.UPSERT).resourceRecordSet(ResourceRecordSet.builder()
                .name(recordName).type(type).ttl(ttl).resourceRecords(ResourceRecord.builder().value(value).build()).build()).build());

        log.info("{} UPSERT {} {} {} (TTL {}) in hosted zone {}{}", prefix, recordName, type, value, ttl, hostedZoneId,
                changes.size() > 1 ? ", deleting its record of another type" : "");
        ChangeInfo submitted = calls.call("ChangeResourceRecordSets", () -> route53.changeResourceRecordSets(request -> request
                .hostedZoneId(hostedZoneId)
                .changeBatch(batch -> batch.comment("drpilot incident " + context.incidentId() + ": " + recordName + " to " + context.candidate().name())
                        .changes(changes)))).changeInfo();
        String changeId = submitted.id();
        Poller.Polled<ChangeInfo> insync = new Poller(backoff, deadline, prefix).until("change " + changeId + " to be INSYNC", () -> {
            ChangeInfo info = calls.call("GetChange", () -> route53.getChange(request -> request.id(changeId))).changeInfo();
            return info.status() == ChangeStatus.INSYNC ? Poller.Look.done(info, info.statusAsString()) : Poller.Look.notYet(info.statusAsString());
        });
        log.info("{} change {} INSYNC: {} now points at {}", prefix, changeId, recordName, value);
        return new StepOutcome("pointed " + recordName + " (" + type + ", TTL " + ttl + ") at " + value + " in hosted zone " + hostedZoneId
                + "; change " + changeId + " INSYNC after " + insync.looks() + " looks",
                Map.of("changeId", changeId, "status", insync.value().statusAsString(), "recordValue", value,
                        "recordType", type.toString(), "previousValue", previous));
    }

    /** A, AAAA or CNAME: what a record pointing at {@code host} must be. */
    static RRType typeFor(String host) {
        if (IPV4.matcher(host).matches()) {
            return RRType.A;
        }
        return IPV6.matcher(host).matches() ? RRType.AAAA : RRType.CNAME;
    }

    /** The plain (not alias, not weighted or failover-routed) A, AAAA and CNAME records at the name. */
    private List<ResourceRecordSet> existing(AwsCalls calls) throws StepFailedException, InterruptedException {
        // The listing starts at the name, in Route 53's order; the records of the name come first.
        List<ResourceRecordSet> sets = calls.call("ListResourceRecordSets", () -> route53.listResourceRecordSets(request -> request
                .hostedZoneId(hostedZoneId).startRecordName(recordName).maxItems("10"))).resourceRecordSets();
        List<ResourceRecordSet> found = new ArrayList<>();
        for (ResourceRecordSet set : sets) {
            if (!sameName(set.name(), recordName)) {
                break;
            }
            if (ADDRESS_TYPES.contains(set.type())) {
                if (set.setIdentifier() != null || set.aliasTarget() != null) {
                    throw new StepFailedException(recordName + " " + set.type() + " in hosted zone " + hostedZoneId
                            + " is an alias or routing-policy record: drpilot repoints only simple records");
                }
                found.add(set);
            }
        }
        return found;
    }

    private static boolean pointsAt(ResourceRecordSet set, String host) {
        return set.type() == typeFor(host) && set.resourceRecords().size() == 1
                && sameName(set.resourceRecords().get(0).value(), host);
    }

    /** DNS names compare without case and without the root's trailing dot, which Route 53 always adds. */
    private static boolean sameName(String a, String b) {
        return normal(a).equals(normal(b));
    }

    private static String normal(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }
}
