package dev.drpilot.failover.steps;

import dev.drpilot.config.Durations;
import dev.drpilot.config.FailoverSettings;
import dev.drpilot.config.NodeConfig;
import dev.drpilot.config.PostgresRefusal;
import dev.drpilot.failover.FailoverContext;
import dev.drpilot.failover.FailoverRefusedException;
import dev.drpilot.failover.FailoverStep;
import dev.drpilot.failover.StepOutcome;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code check}: confirm from the actuator's own vantage that the primary is unreachable — it
 * does not answer at all; one that answers with an error (a refused login, no free connection
 * slot, starting up) is alive, and the failover is refused — and
 * choose the replica to promote: one that answers and is in recovery, not tagged
 * {@code nofailover}, within the lag bound ({@code failover.maxLagOnFailover} and
 * {@code maxLagBytesOnFailover}), highest priority first, then the most advanced.
 *
 * <p>Lag is measured against the furthest WAL any replica has received (the dead primary cannot
 * be asked): bytes not yet replayed, and seconds between the last replayed commit and the
 * failure's detection. Replay lag counts, not only receive lag: a replica whose replay is paused
 * or delayed on purpose is not a safe candidate, and promoting it would first replay its backlog.
 */
public final class PostgresCheckStep implements FailoverStep {
    private final PostgresAdmin admin;
    private final FailoverSettings settings;

    public PostgresCheckStep(PostgresAdmin admin, FailoverSettings settings) {
        this.admin = admin;
        this.settings = settings;
    }

    @Override
    public String describe() {
        return "check";
    }

    @Override
    public String plan(FailoverContext context) {
        return "confirm " + context.failedPrimary().map(NodeConfig::name).orElse("the primary")
                + " does not answer as primary, and choose a replica within " + Durations.format(settings.maxLagOnFailover())
                + " / " + settings.maxLagBytesOnFailover() + " bytes of lag";
    }

    @Override
    public boolean alreadyDone(FailoverContext context) {
        return false;   // read-only: always looked at afresh
    }

    @Override
    public StepOutcome run(FailoverContext context, Duration timeout) throws Exception {
        if (context.switchoverTarget().isPresent()) {
            return switchover(context, context.switchoverTarget().get());
        }
        Optional<NodeConfig> old = context.failedPrimary();
        if (old.isPresent()) {
            Optional<PostgresAdmin.Answer> oldAnswer = admin.answer(old.get());
            if (oldAnswer.flatMap(PostgresAdmin.Answer::state).filter(state -> !state.inRecovery()).isPresent()) {
                throw new FailoverRefusedException("primary " + old.get().name() + " answers drpilot's own check as primary: not failing over");
            }
            // A server that answers with an error is alive and may still serve its sessions: promoting beside it is a split brain.
            Optional<PostgresRefusal> refusal = oldAnswer.flatMap(PostgresAdmin.Answer::refusal);
            if (refusal.isPresent()) {
                throw new FailoverRefusedException("primary " + old.get().name() + " answers drpilot's own check with an error ("
                        + refusal.get().describe() + "): it is alive, not failing over");
            }
        }
        List<PostgresAdmin.NodeState> replicas = new ArrayList<>();
        List<String> unreachable = new ArrayList<>();
        for (NodeConfig node : context.cluster().nodes()) {
            if (old.isPresent() && old.get().name().equals(node.name())) {
                continue;
            }
            Optional<PostgresAdmin.Answer> answer = admin.answer(node);
            Optional<PostgresAdmin.NodeState> state = answer.flatMap(PostgresAdmin.Answer::state);
            if (state.isEmpty()) {
                unreachable.add(node.name() + answer.flatMap(PostgresAdmin.Answer::refusal).map(r -> " refuses: " + r.describe()).orElse(" unreachable"));
            } else if (!state.get().inRecovery()) {
                // Already out of recovery: promoted by an earlier run of this runbook, or by hand.
                context.chooseCandidate(node);
                return new StepOutcome(node.name() + " is already primary (out of recovery); it stays the new primary",
                        Map.of("candidate", node.name(), "dataLossBytes", "0", "lagSeconds", "0"));
            } else {
                replicas.add(state.get());
            }
        }
        if (replicas.isEmpty()) {
            throw new FailoverRefusedException("no replica of " + context.cluster().name() + " answers" + (unreachable.isEmpty() ? "" : " (" + String.join("; ", unreachable) + ")"));
        }
        long reference = replicas.stream().mapToLong(PostgresAdmin.NodeState::furthestLsn).max().orElseThrow();
        List<Assessed> assessed = replicas.stream().map(state -> assess(state, reference, context)).toList();
        List<Assessed> eligible = assessed.stream().filter(a -> a.state.node().mayBePromoted() && (a.withinBound || context.force())).toList();
        String table = String.join("; ", assessed.stream().map(Assessed::describe).toList());
        if (eligible.isEmpty()) {
            throw new FailoverRefusedException("no candidate within the lag bound of " + Durations.format(settings.maxLagOnFailover()) + " / "
                    + settings.maxLagBytesOnFailover() + " bytes: " + table + " (an operator may force it)");
        }
        Assessed chosen = eligible.stream()
                .sorted(Comparator.comparingInt((Assessed a) -> a.state.node().priority()).reversed()
                        .thenComparing(Comparator.comparingLong((Assessed a) -> a.state.furthestLsn()).reversed())
                        .thenComparing(a -> a.state.node().name()))
                .findFirst().orElseThrow();
        context.chooseCandidate(chosen.state.node());
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("candidate", chosen.state.node().name());
        attributes.put("lagBytes", Long.toString(chosen.lagBytes));
        attributes.put("lagSeconds", String.format(Locale.ROOT, "%.3f", chosen.lagSeconds));
        attributes.put("dataLossBytes", Long.toString(reference - chosen.state.furthestLsn()));
        attributes.put("referenceLsn", Long.toString(reference));
        attributes.put("forced", Boolean.toString(context.force() && !chosen.withinBound));
        return new StepOutcome("chose " + chosen.state.node().name() + (context.force() && !chosen.withinBound ? " (forced beyond the lag bound)" : "")
                + " among: " + table, attributes);
    }

    /**
     * A planned switchover: the operator's target must answer as a replica (or already be the
     * primary); the current primary is found and left to the fence step. No lag bound: the promote
     * step waits for the target to replay everything the fenced primary wrote.
     */
    private StepOutcome switchover(FailoverContext context, String target) throws Exception {
        NodeConfig node = context.cluster().node(target)
                .orElseThrow(() -> new FailoverRefusedException("no node named " + target + " in cluster " + context.cluster().name()));
        if (!node.mayBePromoted() && !context.force()) {
            throw new FailoverRefusedException(target + " is tagged nofailover (an operator may force it)");
        }
        Optional<PostgresAdmin.NodeState> targetState = admin.state(node);
        if (targetState.isEmpty()) {
            throw new FailoverRefusedException("switchover target " + target + " does not answer");
        }
        context.chooseCandidate(node);
        if (!targetState.get().inRecovery()) {
            return new StepOutcome(target + " is already primary", Map.of("candidate", target, "switchover", "true", "dataLossBytes", "0"));
        }
        for (NodeConfig other : context.cluster().nodes()) {
            if (!other.name().equals(target) && admin.state(other).filter(state -> !state.inRecovery()).isPresent()) {
                context.replacingPrimary(other);
            }
        }
        String from = context.failedPrimary().map(NodeConfig::name).orElse("(no primary answers)");
        return new StepOutcome("switchover from " + from + " to " + target,
                Map.of("candidate", target, "switchover", "true", "oldPrimary", from, "dataLossBytes", "0"));
    }

    private Assessed assess(PostgresAdmin.NodeState state, long reference, FailoverContext context) {
        long lagBytes = Math.max(0, reference - state.replayLsn());
        double lagSeconds;
        if (lagBytes == 0 || state.replayedAt() == null) {
            lagSeconds = 0;
        } else {
            lagSeconds = Math.max(0, Duration.between(state.replayedAt(), context.detectedAt()).toMillis() / 1000.0);
        }
        boolean within = lagBytes <= settings.maxLagBytesOnFailover() && lagSeconds <= settings.maxLagOnFailover().toMillis() / 1000.0
                && !state.replayPaused();
        return new Assessed(state, lagBytes, lagSeconds, within);
    }

    private record Assessed(PostgresAdmin.NodeState state, long lagBytes, double lagSeconds, boolean withinBound) {
        String describe() {
            return state.node().name() + " priority " + state.node().priority() + ", " + lagBytes + " bytes / "
                    + String.format(Locale.ROOT, "%.1f", lagSeconds) + " s behind"
                    + (state.replayPaused() ? ", replay paused" : "")
                    + (state.node().mayBePromoted() ? "" : ", tagged nofailover")
                    + (withinBound ? "" : ", beyond the bound");
        }
    }
}
