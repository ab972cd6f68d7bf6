package dev.drpilot.failover.agent;

import dev.drpilot.events.ActionKind;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.ActionStatus;
import dev.drpilot.events.AgentCommandKind;
import dev.drpilot.events.AgentReply;
import dev.drpilot.events.AgentReplyOutcome;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** An agent's rejoin reply becomes the rejoin's record; an agent reports only about its own node. */
class RejoinReplyRecordTest {
    private static AgentReply reply(AgentReplyOutcome outcome, Map<String, String> attributes) {
        return AgentReply.newBuilder().setCommandId("i-1/rejoin/pg-1").setCluster("orders").setNode("pg-1").setAgentId("agent-7")
                .setKind(AgentCommandKind.REJOIN).setOutcome(outcome).setDetail("rejoin of pg-1 onto pg-2.db:5432: SUCCEEDED (rewind)")
                .setRepliedAt(Instant.parse("2026-12-01T03:00:00Z")).setAttributes(new HashMap<>(attributes)).build();
    }

    @Test
    void aDoneRejoinIsRecordedSucceededWithTheReportsFigures() {
        ActionRecord record = RejoinReplyRecord.of("orders/pg-1", reply(AgentReplyOutcome.DONE, Map.of("incidentId", "i-1", "method", "REWIND",
                "discarded.rel.public.accounts", "7 inserted", "startedAt", "2026-12-01T02:59:55Z")));

        assertThat(record.getKind()).isEqualTo(ActionKind.REJOIN);
        assertThat(record.getName()).isEqualTo("rejoin");
        assertThat(record.getStatus()).isEqualTo(ActionStatus.SUCCEEDED);
        assertThat(record.getIncidentId()).isEqualTo("i-1");
        assertThat(record.getActionId()).isEqualTo("i-1/rejoin-pg-1");
        assertThat(record.getCluster()).isEqualTo("orders");
        assertThat(record.getStartedAt()).isEqualTo(Instant.parse("2026-12-01T02:59:55Z"));
        assertThat(record.getFinishedAt()).isEqualTo(Instant.parse("2026-12-01T03:00:00Z"));
        assertThat(record.getDetail()).startsWith("rejoin of pg-1 onto pg-2.db:5432: SUCCEEDED");
        assertThat(record.getAttributes()).containsEntry("method", "REWIND").containsEntry("discarded.rel.public.accounts", "7 inserted")
                .containsEntry("node", "pg-1").containsEntry("agentId", "agent-7").containsEntry("commandId", "i-1/rejoin/pg-1");
    }

    @Test
    void theOutcomeIsTheStatus() {
        assertThat(RejoinReplyRecord.of("orders/pg-1", reply(AgentReplyOutcome.REFUSED, Map.of())).getStatus()).isEqualTo(ActionStatus.REFUSED);
        assertThat(RejoinReplyRecord.of("orders/pg-1", reply(AgentReplyOutcome.FAILED, Map.of())).getStatus()).isEqualTo(ActionStatus.FAILED);
    }

    @Test
    void withoutAnIncidentTheRecordIsNamedAfterTheCommand() {
        ActionRecord record = RejoinReplyRecord.of("orders/pg-1", reply(AgentReplyOutcome.DONE, Map.of()));

        assertThat(record.getIncidentId()).isNull();
        assertThat(record.getActionId()).isEqualTo("rejoin/orders/pg-1/i-1/rejoin/pg-1");
    }

    @Test
    void anAgentReportsOnlyAboutItsOwnNode() {
        assertThatThrownBy(() -> RejoinReplyRecord.of("orders/pg-2", reply(AgentReplyOutcome.DONE, Map.of())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a reply keyed orders/pg-2 names node orders/pg-1: an agent may report only about its own node");
    }
}
