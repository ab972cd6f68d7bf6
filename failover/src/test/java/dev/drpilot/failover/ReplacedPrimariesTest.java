package dev.drpilot.failover;

import dev.drpilot.events.ActionKind;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.ActionStatus;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Only an old primary that a standing failover replaced may be fenced on sight; never the primary of the newest one. */
class ReplacedPrimariesTest {
    private static final Instant T0 = Instant.parse("2026-11-24T03:00:00Z");

    private static ActionRecord failover(String incident, int minute, String from, String to) {
        return summary(incident, minute, Map.of("outcome", "SUCCEEDED", "mode", "AUTO", "oldPrimary", from, "newPrimary", to));
    }

    private static ActionRecord summary(String incident, int minute, Map<String, String> attributes) {
        Instant at = T0.plusSeconds(60L * minute);
        return ActionRecord.newBuilder().setActionId(incident + "/summary").setKind(ActionKind.FAILOVER_SUMMARY).setName("summary")
                .setStatus(ActionStatus.SUCCEEDED).setIncidentId(incident).setCluster("orders").setStartedAt(at).setFinishedAt(at)
                .setDetail("").setAttributes(new HashMap<>(attributes)).build();
    }

    private static ActionRecord other(String cluster, ActionStatus status) {
        ActionRecord record = failover("x", 1, "pg-1", "pg-2");
        record.setCluster(cluster);
        record.setStatus(status);
        return record;
    }

    @Test
    void theOldPrimaryOfTheNewestFailoverIsReplaced() {
        ReplacedPrimaries.Judgement judgement = ReplacedPrimaries.judge("pg-1", List.of(failover("i-1", 1, "pg-1", "pg-2")));
        assertThat(judgement.replacedBy()).hasValue("i-1");
        assertThat(judgement.refusal()).isEmpty();
    }

    @Test
    void theNewPrimaryIsNeverFenced() {
        assertThat(ReplacedPrimaries.judge("pg-2", List.of(failover("i-1", 1, "pg-1", "pg-2"))).refusal())
                .hasValue("pg-2 is the primary the newest failover (i-1) promoted: the legitimate primary is never fenced");
    }

    @Test
    void aNodeThatALaterFailoverMadePrimaryAgainIsNotReplaced() {
        List<ActionRecord> back = List.of(failover("i-2", 5, "pg-2", "pg-1"), failover("i-1", 1, "pg-1", "pg-2"));   // any order
        assertThat(ReplacedPrimaries.judge("pg-1", back).refusal()).hasValueSatisfying(why -> assertThat(why).contains("never fenced"));
        assertThat(ReplacedPrimaries.judge("pg-2", back).replacedBy()).hasValue("i-2");
    }

    @Test
    void aNodeReplacedEarlierStaysReplacedUntilPromotedAgain() {
        List<ActionRecord> twice = List.of(failover("i-1", 1, "pg-1", "pg-2"), failover("i-2", 5, "pg-2", "pg-3"));
        assertThat(ReplacedPrimaries.judge("pg-1", twice).replacedBy()).hasValue("i-1");
        assertThat(ReplacedPrimaries.judge("pg-2", twice).replacedBy()).hasValue("i-2");
        assertThat(ReplacedPrimaries.judge("pg-3", twice).refusal()).isPresent();
    }

    @Test
    void withoutAFailoverNothingIsReplaced() {
        assertThat(ReplacedPrimaries.judge("pg-1", List.of()).refusal()).hasValueSatisfying(why -> assertThat(why).startsWith("no standing failover"));
    }

    @Test
    void onlySuccessfulRealFailoversOfTheClusterCount() {
        assertThat(ReplacedPrimaries.summaries("orders")).accepts(failover("i-1", 1, "pg-1", "pg-2"))
                .rejects(summary("d", 1, Map.of("outcome", "DRY_RUN", "dryRun", "true", "oldPrimary", "pg-1", "newPrimary", "pg-2")),
                        summary("f", 1, Map.of("outcome", "SUCCEEDED", "mode", "FENCE", "fencedNode", "pg-1")),
                        other("billing", ActionStatus.SUCCEEDED), other("orders", ActionStatus.FAILED));
    }
}
