package dev.drpilot.failover.steps;

import dev.drpilot.config.NodeConfig;
import dev.drpilot.failover.FailoverContext;
import dev.drpilot.failover.FailoverStep;
import dev.drpilot.failover.StepFailedException;
import dev.drpilot.failover.StepOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.rds.RdsClient;
import software.amazon.awssdk.services.rds.model.DBInstance;
import software.amazon.awssdk.services.rds.model.InvalidDbInstanceStateException;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Promotes the candidate, an RDS read replica, to a standalone instance: {@code PromoteReadReplica}
 * of its {@code rdsInstanceId}, then {@code DescribeDBInstances} until it is {@code available} and
 * no longer names a source instance. RDS takes minutes for this (it reboots the instance).
 */
public final class RdsPromoteStep implements FailoverStep {
    private static final Logger log = LoggerFactory.getLogger(RdsPromoteStep.class);
    /** The states an instance passes through while being promoted. */
    private static final Set<String> PROMOTING = Set.of("modifying", "rebooting", "backing-up", "configuring-log-exports");

    private final RdsClient rds;
    private final Backoff backoff;

    public RdsPromoteStep(RdsClient rds) {
        this(rds, Backoff.DEFAULT);
    }

    RdsPromoteStep(RdsClient rds, Backoff backoff) {
        this.rds = rds;
        this.backoff = backoff;
    }

    @Override
    public String describe() {
        return "promote rds";
    }

    @Override
    public String plan(FailoverContext context) {
        return context.chosenCandidate()
                .map(candidate -> "would promote RDS read replica " + candidate.rdsInstanceId().orElse("(no rdsInstanceId set!)")
                        + " (node " + candidate.name() + ") to a standalone instance and wait until it is available")
                .orElse("would promote the chosen candidate's RDS read replica and wait until it is available");
    }

    @Override
    public boolean alreadyDone(FailoverContext context) throws StepFailedException, InterruptedException {
        String instance = instanceId(context);
        AwsCalls calls = new AwsCalls(backoff, Deadline.after(Duration.ofSeconds(30)), LogPrefix.of(context, "promote", "rds"));
        return promoted(describe(calls, instance));
    }

    @Override
    public StepOutcome run(FailoverContext context, Duration timeout) throws StepFailedException, InterruptedException {
        String instance = instanceId(context);
        String prefix = LogPrefix.of(context, "promote", "rds");
        Deadline deadline = Deadline.after(timeout);
        AwsCalls calls = new AwsCalls(backoff, deadline, prefix);

        log.info("{} PromoteReadReplica {}", prefix, instance);
        Optional<InvalidDbInstanceStateException> refused = calls.call("PromoteReadReplica", () -> {
            try {
                rds.promoteReadReplica(request -> request.dbInstanceIdentifier(instance));
                return Optional.empty();
            } catch (InvalidDbInstanceStateException e) {
                return Optional.of(e);
            }
        });
        if (refused.isPresent()) {
            // A resumed runbook, or a second drpilot, may have asked already: RDS then refuses a new
            // promotion while the first one runs, and waiting for that one is all there is to do.
            DBInstance now = describe(calls, instance);
            if (!PROMOTING.contains(now.dbInstanceStatus()) && !promoted(now)) {
                throw new StepFailedException("PromoteReadReplica of " + instance + " failed: " + AwsCalls.describe(refused.get())
                        + " (instance " + state(now) + ")", refused.get());
            }
            log.info("{} {} is already being promoted ({}): waiting for it", prefix, instance, state(now));
        }
        Poller.Polled<DBInstance> done = new Poller(backoff, deadline, prefix).until(instance + " to be available and standalone", () -> {
            DBInstance now = describe(calls, instance);
            return promoted(now) ? Poller.Look.done(now, state(now)) : Poller.Look.notYet(state(now));
        });
        DBInstance promoted = done.value();
        log.info("{} {} promoted: {}", prefix, instance, state(promoted));
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("rdsInstanceId", instance);
        attributes.put("status", promoted.dbInstanceStatus());
        if (promoted.endpoint() != null && promoted.endpoint().address() != null) {
            attributes.put("endpoint", promoted.endpoint().address());
        }
        return new StepOutcome("promoted RDS read replica " + instance + " (node " + context.candidate().name() + "): available after "
                + done.looks() + " looks", attributes);
    }

    private static String instanceId(FailoverContext context) throws StepFailedException {
        NodeConfig candidate = context.candidate();
        return candidate.rdsInstanceId().orElseThrow(() -> new StepFailedException("node " + candidate.name() + " of cluster "
                + context.cluster().name() + " has no rdsInstanceId: set rdsInstanceId on that node in clusters." + context.cluster().name()
                + ".nodes to the DB instance identifier of its RDS read replica"));
    }

    private DBInstance describe(AwsCalls calls, String instance) throws StepFailedException, InterruptedException {
        return calls.call("DescribeDBInstances", () -> rds.describeDBInstances(request -> request.dbInstanceIdentifier(instance)))
                .dbInstances().stream().findFirst()
                .orElseThrow(() -> new StepFailedException("DescribeDBInstances returned no instance " + instance));
    }

    private static boolean promoted(DBInstance instance) {
        String source = instance.readReplicaSourceDBInstanceIdentifier();
        return "available".equals(instance.dbInstanceStatus()) && (source == null || source.isBlank());
    }

    private static String state(DBInstance instance) {
        String source = instance.readReplicaSourceDBInstanceIdentifier();
        return instance.dbInstanceStatus() + (source == null || source.isBlank() ? ", standalone" : ", replica of " + source);
    }
}
