package dev.drpilot.recovery.drill;

import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.ActionStatus;
import dev.drpilot.events.FailoverCommand;
import dev.drpilot.events.FailoverMode;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Asks the failover actuator for a switchover or a dry run the way an operator does ({@code drpilot switchover}: the
 * order, then the command) and waits for its summary on {@code drpilot.actions}. The actuator does the work; a drill
 * never promotes, fences or repoints anything itself.
 */
final class ActuatorRequests {
    private static final Duration POLL = Duration.ofMillis(500);
    private static final String DEFERRED = "deferred";

    /** What the actuator recorded of one request: its summary and its steps, in the order written. */
    record Outcome(ActionRecord summary, List<ActionRecord> records) {
        boolean succeeded() {
            return summary.getStatus() == ActionStatus.SUCCEEDED;
        }
    }

    private final ActuatorLink link;
    private final OperatorChannel operators;
    private final Clock clock;

    ActuatorRequests(ActuatorLink link, OperatorChannel operators, Clock clock) {
        this.link = link;
        this.operators = operators;
        this.clock = clock;
    }

    /** Sends the switchover of {@code cluster} to {@code target} with its order; returns when the command is acknowledged. */
    FailoverCommand switchover(String incident, String cluster, String component, String target, String reason) throws Exception {
        Instant now = clock.instant();
        FailoverCommand command = FailoverCommand.newBuilder().setCommandId(incident + "/switchover").setIncidentId(incident)
                .setCluster(cluster).setComponent(component).setReason(reason).setMode(FailoverMode.SWITCHOVER).setTargetNode(target)
                .setForce(false).setDetectedAt(now).setIssuedAt(now).build();
        // The order first: the actuator carries out a switchover only once it finds the order on the control topic.
        operators.order(incident, cluster, reason);
        link.send(command);
        return command;
    }

    FailoverCommand dryRun(String incident, String cluster, String component, String reason) throws Exception {
        Instant now = clock.instant();
        FailoverCommand command = FailoverCommand.newBuilder().setCommandId(incident + "/dry-run").setIncidentId(incident)
                .setCluster(cluster).setComponent(component).setReason(reason).setMode(FailoverMode.DRY_RUN)
                .setForce(false).setDetectedAt(now).setIssuedAt(now).build();
        link.send(command);
        return command;
    }

    /** The command's summary once the actuator wrote it; empty when none came within {@code timeout}. */
    Optional<Outcome> await(FailoverCommand command, Duration timeout) throws Exception {
        Instant deadline = clock.instant().plus(timeout);
        Instant since = command.getIssuedAt().minus(Duration.ofMinutes(1));
        while (true) {
            // Another writer's unreadable record is not this command's summary: left out, the wait goes on.
            List<ActionRecord> records = link.actions(since, TopicSnapshot.Unreadable.SKIP).stream()
                    .filter(record -> command.getIncidentId().equals(record.getIncidentId())).toList();
            Optional<ActionRecord> summary = records.stream()
                    .filter(record -> record.getName().equals("summary") && !"true".equals(record.getAttributes().get(DEFERRED)))
                    .reduce((first, second) -> second);
            if (summary.isPresent()) {
                return Optional.of(new Outcome(summary.get(), records));
            }
            if (!clock.instant().isBefore(deadline)) {
                return Optional.empty();
            }
            TimeUnit.MILLISECONDS.sleep(POLL.toMillis());
        }
    }
}
