package dev.drpilot.failover;

import dev.drpilot.config.FailoverSettings.UnreachablePrimary;
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
import static org.assertj.core.api.Assertions.assertThat;

/** What each policy lets a promotion go ahead on: a hard fence always; a closed port by default; silence only with promote. */
class PromotionPolicyTest {
    record Row(UnreachablePrimary policy, Set<FenceEvidence> evidence, String acceptedOn) {
        @Override
        public String toString() {
            return policy + " " + evidence + " -> " + (acceptedOn == null ? "refused" : acceptedOn);
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
                new Row(PROMOTE, Set.of(DEMOTED, SILENT), "demoted"));
    }

    @ParameterizedTest
    @MethodSource("table")
    void decides(Row row) {
        PromotionPolicy.Verdict verdict = PromotionPolicy.decide(row.policy(), Optional.of("pg-1"), row.evidence());
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
}
