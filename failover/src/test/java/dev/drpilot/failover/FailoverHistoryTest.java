package dev.drpilot.failover;

import dev.drpilot.events.ActionKind;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.ActionStatus;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class FailoverHistoryTest {
    private static final Instant T = Instant.parse("2026-11-24T03:00:00Z");

    private static ActionRecord step(String incident, String id, String name, ActionStatus status, long from, long to, String detail,
                                     ActionKind kind, Map<String, String> attributes) {
        return ActionRecord.newBuilder().setActionId(incident + "/" + id).setKind(kind).setName(name).setStatus(status)
                .setIncidentId(incident).setCluster("orders").setStartedAt(T.plusMillis(from))
                .setFinishedAt(status == ActionStatus.STARTED ? null : T.plusMillis(to)).setDetail(detail).setAttributes(attributes).build();
    }

    @Test
    void eachIncidentWithItsOutcomeFiguresAndStepsInOrder() {
        String text = FailoverHistory.format(List.of(
                step("orders-1", "1-check", "check", ActionStatus.STARTED, 0, 0, "confirm ...", ActionKind.FAILOVER_STEP, Map.of()),
                step("orders-1", "1-check", "check", ActionStatus.SUCCEEDED, 0, 25, "chose pg-2", ActionKind.FAILOVER_STEP, Map.of()),
                step("orders-1", "2-promote", "promote postgres", ActionStatus.STARTED, 30, 0, "pg_promote() on pg-2", ActionKind.FAILOVER_STEP, Map.of()),
                step("orders-1", "2-promote", "promote postgres", ActionStatus.SUCCEEDED, 30, 154, "promoted pg-2; it takes writes",
                        ActionKind.FAILOVER_STEP, Map.of()),
                step("orders-1", "summary", "summary", ActionStatus.SUCCEEDED, 0, 160, "failed over to pg-2", ActionKind.FAILOVER_SUMMARY,
                        Map.of("outcome", "SUCCEEDED", "oldPrimary", "pg-1", "newPrimary", "pg-2", "rtoMillis", "4339", "dataLossBytes", "0",
                                "lagSeconds", "0.554")),
                step("orders-2", "1-check", "check", ActionStatus.REFUSED, 0, 12, "no candidate within the lag bound", ActionKind.FAILOVER_REFUSED,
                        Map.of()),
                step("orders-3", "1-check", "check", ActionStatus.STARTED, 0, 0, "confirm ...", ActionKind.FAILOVER_STEP, Map.of())));

        assertThat(text.lines().toList()).containsExactly(
                "2026-11-24T03:00:00Z  orders-1  cluster orders  SUCCEEDED  pg-1 -> pg-2  recovery 4.3 s  data loss ~0 bytes / 0.554 s",
                "    1-check                SUCCEEDED     25 ms  chose pg-2",
                "    2-promote              SUCCEEDED    124 ms  promoted pg-2; it takes writes",
                "2026-11-24T03:00:00Z  orders-2  cluster orders  UNDER WAY (no summary yet)",
                "    1-check                REFUSED       12 ms  no candidate within the lag bound",
                "2026-11-24T03:00:00Z  orders-3  cluster orders  UNDER WAY (no summary yet)",
                "    1-check                STARTED              confirm ...");
    }

    @Test
    void aRejoinStandsAsItsNewestRecordSays() {
        ActionRecord requested = step("rejoin-orders-pg-1", "rejoin-request", "rejoin request", ActionStatus.STARTED, 0, 0,
                "rejoin of pg-1 onto pg-2 requested from its agent", ActionKind.REJOIN, Map.of("node", "pg-1"));
        ActionRecord done = step("rejoin-orders-pg-1", "rejoin-pg-1", "rejoin", ActionStatus.SUCCEEDED, 10, 2510,
                "rejoin of pg-1 onto pg-2.db:5432: SUCCEEDED (rewind)", ActionKind.REJOIN, Map.of("node", "pg-1"));

        assertThat(FailoverHistory.format(List.of(requested)).lines().toList()).containsExactly(
                "2026-11-24T03:00:00Z  rejoin-orders-pg-1  cluster orders  REJOIN pg-1 REQUESTED (waiting for its agent's reply)",
                "    rejoin-request         STARTED              rejoin of pg-1 onto pg-2 requested from its agent");
        assertThat(FailoverHistory.format(List.of(requested, done)).lines().toList()).containsExactly(
                "2026-11-24T03:00:00Z  rejoin-orders-pg-1  cluster orders  REJOIN pg-1 SUCCEEDED",
                "    rejoin-request         STARTED              rejoin of pg-1 onto pg-2 requested from its agent",
                "    rejoin-pg-1            SUCCEEDED   2500 ms  rejoin of pg-1 onto pg-2.db:5432: SUCCEEDED (rewind)");
    }

    @Test
    void nothingOnRecord() {
        assertThat(FailoverHistory.format(List.of())).isEqualTo("no failovers on record\n");
    }
}
