package dev.drpilot.failover;

import dev.drpilot.config.FailoverSettings.UnreachablePrimary;
import dev.drpilot.events.AgentReplyOutcome;
import dev.drpilot.failover.agent.LeaseFinding;
import dev.drpilot.failover.steps.FenceEvidence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import static dev.drpilot.config.FailoverSettings.UnreachablePrimary.PROMOTE;
import static dev.drpilot.config.FailoverSettings.UnreachablePrimary.REFUSE;
import static dev.drpilot.config.FailoverSettings.UnreachablePrimary.WHEN_PORT_CLOSED;
import static dev.drpilot.failover.steps.FenceEvidence.COMMAND;
import static dev.drpilot.failover.steps.FenceEvidence.DEMOTED;
import static dev.drpilot.failover.steps.FenceEvidence.KUBERNETES;
import static dev.drpilot.failover.steps.FenceEvidence.PORT_CLOSED;
import static dev.drpilot.failover.steps.FenceEvidence.SILENT;
import static dev.drpilot.failover.agent.LeaseFinding.Kind.EXPIRED;
import static dev.drpilot.failover.agent.LeaseFinding.Kind.GIVEN_UP;
import static dev.drpilot.failover.agent.LeaseFinding.Kind.NOT_CONSULTED;
import static dev.drpilot.failover.agent.LeaseFinding.Kind.PROVES_NOTHING;
import static dev.drpilot.failover.agent.LeaseFinding.Kind.RENEWING;
import static dev.drpilot.failover.agent.LeaseFinding.Kind.UNREADABLE;
import static dev.drpilot.failover.steps.FenceEvidence.AGENT_STOPPED;
import static org.assertj.core.api.Assertions.assertThat;

/** What each policy lets a promotion go ahead on: a hard fence always; a closed port by default; silence only with promote. */
class PromotionPolicyTest {
    record Row(UnreachablePrimary policy, Set<FenceEvidence> evidence, LeaseFinding.Kind lease, String acceptedOn) {
        Row(UnreachablePrimary policy, Set<FenceEvidence> evidence, String acceptedOn) {
            this(policy, evidence, NOT_CONSULTED, acceptedOn);
        }

        @Override
        public String toString() {
            return policy + " " + evidence + " lease " + lease + " -> " + (acceptedOn == null ? "refused" : acceptedOn);
        }
    }

    static Stream<Row> table() {
        return Stream.of(
                new Row(REFUSE, Set.of(DEMOTED), "demoted"),
                new Row(REFUSE, Set.of(COMMAND), "command"),
                new Row(REFUSE, Set.of(KUBERNETES), "kubernetes"),
                new Row(REFUSE, Set.of(PORT_CLOSED), null),
                new Row(REFUSE, Set.of(SILENT), null),
                new Row(REFUSE, Set.of(), null),
                new Row(REFUSE, Set.of(SILENT, COMMAND), "command"),          // fence stop found nothing, the command fenced it
                new Row(WHEN_PORT_CLOSED, Set.of(DEMOTED), "demoted"),
                new Row(WHEN_PORT_CLOSED, Set.of(PORT_CLOSED), "stopped-port-closed"),
                new Row(WHEN_PORT_CLOSED, Set.of(SILENT), null),
                new Row(WHEN_PORT_CLOSED, Set.of(), null),                    // a runbook without a fence step
                new Row(WHEN_PORT_CLOSED, Set.of(SILENT, KUBERNETES), "kubernetes"),
                new Row(PROMOTE, Set.of(SILENT), "unreachable-accepted-by-policy"),
                new Row(PROMOTE, Set.of(PORT_CLOSED), "unreachable-accepted-by-policy"),
                new Row(PROMOTE, Set.of(), "unreachable-accepted-by-policy"),
                new Row(PROMOTE, Set.of(DEMOTED, SILENT), "demoted"),
                // An old primary with a node agent: its lease.
                new Row(REFUSE, Set.of(AGENT_STOPPED), "agent-stopped"),
                new Row(REFUSE, Set.of(PORT_CLOSED), EXPIRED, "lease-expired"),
                new Row(REFUSE, Set.of(SILENT), EXPIRED, "lease-expired"),
                new Row(REFUSE, Set.of(), GIVEN_UP, "lease-given-up"),
                new Row(WHEN_PORT_CLOSED, Set.of(SILENT), EXPIRED, "lease-expired"),
                new Row(WHEN_PORT_CLOSED, Set.of(PORT_CLOSED), EXPIRED, "lease-expired"),
                new Row(WHEN_PORT_CLOSED, Set.of(PORT_CLOSED), RENEWING, null),     // its agent renews: alive, whatever the port said
                new Row(PROMOTE, Set.of(SILENT), RENEWING, null),                   // not even promote goes past a renewing agent
                new Row(PROMOTE, Set.of(SILENT), UNREADABLE, null),                 // cannot read what it needs: refuses
                new Row(WHEN_PORT_CLOSED, Set.of(PORT_CLOSED), UNREADABLE, null),
                new Row(WHEN_PORT_CLOSED, Set.of(PORT_CLOSED), PROVES_NOTHING, "stopped-port-closed"),   // UNGUARDED, no lease: as without an agent
                new Row(REFUSE, Set.of(PORT_CLOSED), PROVES_NOTHING, null),
                new Row(PROMOTE, Set.of(SILENT), PROVES_NOTHING, "unreachable-accepted-by-policy"),
                new Row(REFUSE, Set.of(DEMOTED), RENEWING, "demoted"));           // a hard fence needs no lease (not consulted then)
    }

    @ParameterizedTest
    @MethodSource("table")
    void decides(Row row) {
        PromotionPolicy.Verdict verdict = PromotionPolicy.decide(row.policy(), Optional.of("pg-1"), row.evidence(), new LeaseFinding(row.lease(), "d"));
        assertThat(verdict.acceptedOn()).isEqualTo(Optional.ofNullable(row.acceptedOn()));
        assertThat(verdict.refusal().isPresent()).isEqualTo(row.acceptedOn() == null);
    }

    @Test
    void aRefusalSaysWhatWasFoundAndWhatAnOperatorCanDo() {
        assertThat(PromotionPolicy.decide(WHEN_PORT_CLOSED, Optional.of("pg-1"), Set.of(SILENT)).refusal()).hasValue("not promoting: pg-1 did"
                + " not answer at all (timed out or no route: it may be serving clients behind a partition) and"
                + " failover.unreachablePrimary is when-port-closed, and no hard fence (demotion over SQL, fence command, fence kubernetes)"
                + " succeeded. An operator who made sure pg-1 cannot take writes (stopped, its host powered off or cut off from every"
                + " client) can switch over by hand (drpilot switchover --to <replica>); a fence command or kubernetes step in the runbook"
                + " lets drpilot do that itself next time");
        assertThat(PromotionPolicy.decide(REFUSE, Optional.of("pg-1"), Set.of()).refusal().orElseThrow())
                .startsWith("not promoting: no fence step recorded anything about pg-1 and failover.unreachablePrimary is refuse");
    }

    @Test
    void withoutAnOldPrimaryThereIsNothingToFence() {
        assertThat(PromotionPolicy.decide(REFUSE, Optional.empty(), Set.of()).acceptedOn()).hasValue("no-old-primary");
    }

    @Test
    void aRenewingLeaseRefusesNamingWhy() {
        assertThat(PromotionPolicy.decide(PROMOTE, Optional.of("pg-1"), Set.of(SILENT), new LeaseFinding(RENEWING, "a newer HOLDING")).refusal()
                .orElseThrow()).startsWith("not promoting: the agent of pg-1 still renews its lease (a newer HOLDING): pg-1 answers its agent as a"
                + " primary");
    }

    record IntentRow(boolean failsafe, AgentReplyOutcome answer, boolean refused) {
    }

    static Stream<IntentRow> intents() {
        return Stream.of(
                new IntentRow(false, null, false),                          // no answer: recorded, goes on
                new IntentRow(false, AgentReplyOutcome.REFUSED, false),
                new IntentRow(false, AgentReplyOutcome.DONE, false),
                new IntentRow(true, AgentReplyOutcome.DONE, false),
                new IntentRow(true, null, true),                            // failsafe needs the promise
                new IntentRow(true, AgentReplyOutcome.FAILED, true),
                new IntentRow(true, AgentReplyOutcome.REFUSED, true));
    }

    @ParameterizedTest
    @MethodSource("intents")
    void aPromotionIntentMustBeAcknowledgedInFailsafeModeOnly(IntentRow row) {
        assertThat(PromotionPolicy.intent(row.failsafe(), "pg-2", Optional.ofNullable(row.answer()), "why").isPresent()).isEqualTo(row.refused());
    }

    @Test
    void aFailsafeRefusalSaysWhatFailsafeModeNeeds() {
        assertThat(PromotionPolicy.intent(true, "pg-2", Optional.empty(), "").orElseThrow()).isEqualTo("not promoting pg-2: failover.failsafe"
                + " is on, and the agent of pg-2 did not answer the promotion intent in time; failsafe mode needs the candidate's agent to"
                + " promise it confirms nothing for the old primary any more, or the old primary, kept running by that confirmation, could"
                + " still take writes beside it");
    }
}
