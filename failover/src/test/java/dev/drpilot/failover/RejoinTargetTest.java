package dev.drpilot.failover;

import dev.drpilot.config.ClusterConfig;
import dev.drpilot.config.ConfigLoader;
import dev.drpilot.config.NodeConfig;
import dev.drpilot.events.ActionKind;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.ActionStatus;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Which node may be rejoined, onto which primary: never the current primary, never a node without an agent. */
class RejoinTargetTest {
    private static final Instant T0 = Instant.parse("2026-12-01T03:00:00Z");
    private static final ClusterConfig ORDERS = ConfigLoader.parse("""
            components: [{name: orders-db, kind: database}]
            clusters:
              orders:
                component: orders-db
                nodes:
                  - {name: pg-1, host: pg-1.db, role: primary, agent: {dataDir: /var/lib/pg, bin: /usr/lib/postgresql/15/bin}}
                  - {name: pg-2, host: pg-2.db, port: 5433, agent: {dataDir: /var/lib/pg, bin: /usr/lib/postgresql/15/bin}}
                  - {name: pg-3, host: pg-3.db}
            """, "test", env -> null).clusters().get("orders");

    private static ActionRecord failover(String incident, int minute, String from, String to) {
        Instant at = T0.plusSeconds(60L * minute);
        return ActionRecord.newBuilder().setActionId(incident + "/summary").setKind(ActionKind.FAILOVER_SUMMARY).setName("summary")
                .setStatus(ActionStatus.SUCCEEDED).setIncidentId(incident).setCluster("orders").setStartedAt(at).setFinishedAt(at)
                .setDetail("").setAttributes(new HashMap<>(Map.of("outcome", "SUCCEEDED", "oldPrimary", from, "newPrimary", to))).build();
    }

    @Test
    void theOldPrimaryOfTheNewestFailoverFollowsItsNewPrimary() {
        RejoinTarget.Judgement judgement = RejoinTarget.judge(ORDERS, "pg-1", List.of(failover("i-1", 1, "pg-1", "pg-2")));

        assertThat(judgement.refusal()).isEmpty();
        assertThat(judgement.node()).map(NodeConfig::name).hasValue("pg-1");
        assertThat(judgement.primary()).hasValueSatisfying(primary -> {
            assertThat(primary.name()).isEqualTo("pg-2");
            assertThat(primary.host()).isEqualTo("pg-2.db");
            assertThat(primary.port()).isEqualTo(5433);
        });
    }

    @Test
    void theNewestFailoverNamesTheCurrentPrimaryWhateverTheOrderRead() {
        List<ActionRecord> back = List.of(failover("i-2", 5, "pg-2", "pg-1"), failover("i-1", 1, "pg-1", "pg-2"));

        assertThat(RejoinTarget.judge(ORDERS, "pg-2", back).primary()).map(NodeConfig::name).hasValue("pg-1");
        assertThat(RejoinTarget.judge(ORDERS, "pg-1", back).refusal())
                .hasValue("pg-1 is the current primary of cluster orders (per failover i-2): a rejoin would stop it");
    }

    @Test
    void withoutAFailoverTheConfiguredPrimaryIsTheCurrentOne() {
        assertThat(RejoinTarget.judge(ORDERS, "pg-2", List.of()).primary()).map(NodeConfig::name).hasValue("pg-1");
        assertThat(RejoinTarget.judge(ORDERS, "pg-1", List.of()).refusal())
                .hasValue("pg-1 is the current primary of cluster orders (per the configuration): a rejoin would stop it");
    }

    @Test
    void aNodeWithoutAnAgentOrUnknownIsRefused() {
        List<ActionRecord> one = List.of(failover("i-1", 1, "pg-1", "pg-2"));

        assertThat(RejoinTarget.judge(ORDERS, "pg-3", one).refusal()).hasValueSatisfying(why -> assertThat(why)
                .startsWith("pg-3 has no agent (clusters.orders.nodes[2].agent)").endsWith("rebuild it as a replica of pg-2 by hand"));
        assertThat(RejoinTarget.judge(ORDERS, "pg-9", one).refusal()).hasValue("cluster orders has no node named pg-9");
    }

    @Test
    void aCurrentPrimaryTheConfigurationDoesNotKnowIsRefused() {
        assertThat(RejoinTarget.judge(ORDERS, "pg-1", List.of(failover("i-1", 1, "pg-1", "pg-7"))).refusal()).hasValue(
                "the current primary pg-7 (per failover i-1) is not a node of cluster orders in this configuration");
    }
}
