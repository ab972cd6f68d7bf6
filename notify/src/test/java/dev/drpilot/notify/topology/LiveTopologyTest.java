package dev.drpilot.notify.topology;

import dev.drpilot.config.ConfigLoader;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.events.ActionKind;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.ActionStatus;
import dev.drpilot.events.AgentLease;
import dev.drpilot.events.HealthObservation;
import dev.drpilot.events.LeaseState;
import dev.drpilot.events.NodeRole;
import dev.drpilot.events.ProbeKind;
import dev.drpilot.events.ReplicationObservation;
import dev.drpilot.events.Source;
import dev.drpilot.notify.topology.LiveTopology.Role;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each row: what was on the topics, in the order read, and what every node of {@code orders} (pg-1 configured primary, pg-2,
 * pg-3) then is — {@code role/timeline/upstream}, {@code -} for none — and the cluster's warning.
 */
class LiveTopologyTest {
    private static final Instant T = Instant.parse("2026-11-24T03:00:00Z");
    private static final Instant NOW = T.plusSeconds(60);
    private static final DrpilotConfig CONFIG = ConfigLoader.parse("""
            components: [{name: orders-db, kind: database}]
            clusters:
              orders:
                component: orders-db
                nodes:
                  - {name: pg-1, host: 10.0.0.1, role: primary, agent: {dataDir: /var/lib/pg, bin: /usr/lib/postgresql/15/bin}}
                  - {name: pg-2, host: 10.0.0.2}
                  - {name: pg-3, host: 10.0.0.3}
            """, "test", name -> null);

    static Stream<Arguments> rows() {
        return Stream.of(
                row("nothing read yet: every node unknown, no warning",
                        List.of(),
                        "pg-1=unknown/-/- pg-2=unknown/-/- pg-3=unknown/-/-", ""),
                row("as configured: the collector's primary and two streaming replicas",
                        List.of(streaming("pg-2", "pg-1", 1, T), streaming("pg-3", "pg-1", 1, T)),
                        "pg-1=primary/1/- pg-2=replica/1/pg-1 pg-3=replica/1/pg-1", ""),
                row("failover: the summary promotes pg-2, the old primary is down, replaced",
                        List.of(streaming("pg-2", "pg-1", 1, T), streaming("pg-3", "pg-1", 1, T),
                                summary("inc-7", "AUTO", "pg-1", "pg-2", T.plusSeconds(10))),
                        "pg-1=down/1/- pg-2=primary/1/- pg-3=replica/1/pg-1", ""),
                row("failover, then the collector's view: pg-2 on timeline 2, pg-3 streams from it, pg-1 does not answer",
                        List.of(streaming("pg-2", "pg-1", 1, T), summary("inc-7", "AUTO", "pg-1", "pg-2", T.plusSeconds(10)),
                                streaming("pg-3", "pg-2", 2, T.plusSeconds(20)), unreachable("pg-1", "pg-2", 2, T.plusSeconds(20))),
                        "pg-1=down/1/- pg-2=primary/2/- pg-3=replica/2/pg-2", ""),
                row("a stale observation read after the failover record does not undo it",
                        List.of(summary("inc-7", "AUTO", "pg-1", "pg-2", T.plusSeconds(10)), streaming("pg-2", "pg-1", 1, T)),
                        "pg-1=down/1/- pg-2=primary/1/- pg-3=unknown/-/-", ""),
                row("switchover: pg-3 promoted, the old primary comes back as its replica",
                        List.of(streaming("pg-2", "pg-1", 1, T), summary("inc-8", "SWITCHOVER", "pg-1", "pg-3", T.plusSeconds(5)),
                                streaming("pg-1", "pg-3", 2, T.plusSeconds(15)), streaming("pg-2", "pg-3", 2, T.plusSeconds(15))),
                        "pg-1=replica/2/pg-3 pg-2=replica/2/pg-3 pg-3=primary/2/-", ""),
                row("old primary back as writable: two primaries, both shown, and the warning",
                        List.of(summary("inc-7", "AUTO", "pg-1", "pg-2", T), streaming("pg-3", "pg-2", 2, T.plusSeconds(5)),
                                writable("pg-1", "pg-2", 1, 2, T.plusSeconds(5))),
                        "pg-1=primary/1/- pg-2=primary/2/- pg-3=replica/2/pg-2", "2 nodes take writes: pg-1, pg-2 (split brain)"),
                row("fenced on sight: the fence's summary marks it; its not answering afterwards keeps the mark",
                        List.of(summary("inc-7", "AUTO", "pg-1", "pg-2", T), fence("inc-9", "pg-1", T.plusSeconds(5)),
                                unreachable("pg-1", "pg-2", 2, T.plusSeconds(8))),
                        "pg-1=fenced/-/- pg-2=primary/2/- pg-3=unknown/-/-", ""),
                row("rejoin under way, then done: a replica of the new primary on its timeline",
                        List.of(summary("inc-7", "AUTO", "pg-1", "pg-2", T), rejoin("pg-1", ActionStatus.STARTED, T.plusSeconds(5)),
                                unreachable("pg-1", "pg-2", 2, T.plusSeconds(6))),
                        "pg-1=rejoining/-/- pg-2=primary/2/- pg-3=unknown/-/-", ""),
                row("rejoin succeeded: streaming.from resolved to the configured node, source.timeline its timeline",
                        List.of(summary("inc-7", "AUTO", "pg-1", "pg-2", T), rejoin("pg-1", ActionStatus.STARTED, T.plusSeconds(5)),
                                rejoin("pg-1", ActionStatus.SUCCEEDED, T.plusSeconds(9))),
                        "pg-1=replica/2/pg-2 pg-2=primary/-/- pg-3=unknown/-/-", ""),
                row("the agent's lease: its node is primary on the lease's timeline; self-fenced is fenced",
                        List.of(lease("pg-2", LeaseState.HOLDING, 3L, T), lease("pg-1", LeaseState.SELF_FENCED, null, T)),
                        "pg-1=fenced/-/- pg-2=primary/3/- pg-3=unknown/-/-", ""),
                row("health: the node's own agent says down, a remote probe later sees a replica",
                        List.of(health("agent:orders/pg-1", "pg-1", false, NodeRole.UNKNOWN, T), health("collector-1", "pg-2", true,
                                NodeRole.REPLICA, T), health("collector-1", "pg-3", true, NodeRole.PRIMARY, T)),
                        "pg-1=down/-/- pg-2=replica/-/- pg-3=primary/-/-", ""),
                row("an agent id that is not the node's own agent counts for nothing",
                        List.of(health("agent:orders/pg-2", "pg-2", false, NodeRole.UNKNOWN, T)),
                        "pg-1=unknown/-/- pg-2=unknown/-/- pg-3=unknown/-/-", ""),
                row("stale evidence is no evidence: unknown, no timeline, no upstream",
                        List.of(streaming("pg-2", "pg-1", 1, NOW.minus(Duration.ofMinutes(6)))),
                        "pg-1=unknown/-/- pg-2=unknown/-/- pg-3=unknown/-/-", ""),
                row("a dry run and a failed failover change nothing",
                        List.of(streaming("pg-2", "pg-1", 1, T), dryRun(), failedFailover()),
                        "pg-1=primary/1/- pg-2=replica/1/pg-1 pg-3=unknown/-/-", ""),
                row("every node down: no node takes writes",
                        List.of(unreachable("pg-2", null, null, T), health("collector-1", "pg-1", false, NodeRole.UNKNOWN, T)),
                        "pg-1=down/-/- pg-2=down/-/- pg-3=unknown/-/-", "no node takes writes"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void theLiveRoleTimelineAndUpstreamOfEveryNode(String name, List<Consumer<LiveTopology>> events, String expected, String warning) {
        LiveTopology topology = new LiveTopology(CONFIG);
        events.forEach(event -> event.accept(topology));

        LiveTopology.Cluster orders = topology.view(NOW, cluster -> Duration.ofMinutes(5)).get(0);

        assertThat(orders.nodes().stream().map(node -> node.node() + "=" + node.role().label() + "/" + node.timeline().map(String::valueOf).orElse("-")
                + "/" + node.upstream().orElse("-")).collect(Collectors.joining(" "))).isEqualTo(expected);
        assertThat(orders.warning().orElse("")).isEqualTo(warning);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("notes")
    void theConfiguredRoleIsANoteOnlyWhereItDiffers(String name, List<Consumer<LiveTopology>> events, Map<String, String> expected) {
        LiveTopology topology = new LiveTopology(CONFIG);
        events.forEach(event -> event.accept(topology));

        Map<String, String> notes = new LinkedHashMap<>();
        topology.view(NOW, cluster -> Duration.ofMinutes(5)).get(0).nodes()
                .forEach(node -> notes.put(node.node(), node.note().orElse("")));
        assertThat(notes).isEqualTo(expected);
    }

    static Stream<Arguments> notes() {
        return Stream.of(
                Arguments.of("as configured: no notes", List.of(streaming("pg-2", "pg-1", 1, T)),
                        Map.of("pg-1", "", "pg-2", "", "pg-3", "")),
                Arguments.of("after a failover: the old primary says by whom and when, the new one that it was configured a replica",
                        List.of(summary("inc-7", "AUTO", "pg-1", "pg-2", T.plusSeconds(12))),
                        Map.of("pg-1", "configured primary; replaced by pg-2 at 2026-11-24 03:00:12Z (failover inc-7)",
                                "pg-2", "configured replica", "pg-3", "")),
                Arguments.of("failed back: pg-1 primary again, no replacement left",
                        List.of(summary("inc-7", "AUTO", "pg-1", "pg-2", T), summary("inc-8", "SWITCHOVER", "pg-2", "pg-1", T.plusSeconds(30))),
                        Map.of("pg-1", "", "pg-2", "replaced by pg-1 at 2026-11-24 03:00:30Z (failover inc-8)", "pg-3", "")));
    }

    @Test
    void sinceIsWhenTheNodeWasFirstSeenInItsRoleAndTheLagIsAReplicas() {
        LiveTopology topology = new LiveTopology(CONFIG);
        ReplicationObservation lagging = ReplicationObservation.newBuilder(observation("pg-2", "pg-1", T)).setInRecovery(true)
                .setStreaming(true).setLagSeconds(2.5).setLagBytes(4096L).build();
        topology.accept(lagging);
        topology.accept(ReplicationObservation.newBuilder(lagging).setObservedAt(T.plusSeconds(10)).build());

        LiveTopology.Node pg2 = topology.view(NOW, cluster -> Duration.ofMinutes(5)).get(0).nodes().get(1);
        assertThat(pg2.since()).hasValue(T);
        assertThat(pg2.lagSeconds()).hasValue(2.5);
        assertThat(pg2.lagBytes()).hasValue(4096L);
        assertThat(pg2.basis()).isEqualTo("collector eu-west-1a: in recovery");
    }

    @Test
    void evidenceAboutAClusterTheConfigurationDoesNotNameIsLeftOut() {
        LiveTopology topology = new LiveTopology(CONFIG);
        topology.accept(ReplicationObservation.newBuilder(observation("db-2", "db-1", T)).setCluster("elsewhere").setInRecovery(true).build());
        topology.accept(AgentLease.newBuilder().setCluster("elsewhere").setNode("db-1").setAgentId("agent-db-1").setState(LeaseState.HOLDING)
                .setSequence(1).setTtlMillis(5000).setRenewedAt(T).build());

        assertThat(topology.view(NOW, cluster -> Duration.ofMinutes(5))).extracting(LiveTopology.Cluster::name).containsExactly("orders");
    }

    private static Arguments row(String name, List<Consumer<LiveTopology>> events, String expected, String warning) {
        return Arguments.of(name, events, expected, warning);
    }

    private static ReplicationObservation observation(String replica, String primary, Instant at) {
        return ReplicationObservation.newBuilder().setObservedAt(at)
                .setSource(Source.newBuilder().setCollectorId("collector-1").setVantage("eu-west-1a").build())
                .setComponent("orders-db").setCluster("orders").setPrimaryNode(primary).setReplicaNode(replica).setStreaming(false).build();
    }

    private static Consumer<LiveTopology> streaming(String replica, String primary, long timeline, Instant at) {
        ReplicationObservation observation = ReplicationObservation.newBuilder(observation(replica, primary, at)).setStreaming(true).setInRecovery(true)
                .setWalReceiverStatus("streaming").setTimeline(timeline).setPrimaryTimeline(timeline).build();
        return topology -> topology.accept(observation);
    }

    private static Consumer<LiveTopology> unreachable(String node, String primary, Integer primaryTimeline, Instant at) {
        ReplicationObservation observation = ReplicationObservation.newBuilder(observation(node, primary, at))
                .setPrimaryTimeline(primaryTimeline == null ? null : primaryTimeline.longValue()).setError("replica " + node + ": connection refused").build();
        return topology -> topology.accept(observation);
    }

    private static Consumer<LiveTopology> writable(String node, String primary, long timeline, long primaryTimeline, Instant at) {
        ReplicationObservation observation = ReplicationObservation.newBuilder(observation(node, primary, at)).setInRecovery(false)
                .setTimeline(timeline).setPrimaryTimeline(primaryTimeline).build();
        return topology -> topology.accept(observation);
    }

    private static ActionRecord summaryRecord(String incident, String mode, String oldPrimary, String newPrimary, Instant at) {
        Map<String, String> attributes = new LinkedHashMap<>(Map.of("outcome", "SUCCEEDED", "mode", mode));
        if (oldPrimary != null) {
            attributes.put("oldPrimary", oldPrimary);
        }
        if (newPrimary != null) {
            attributes.put("newPrimary", newPrimary);
        }
        return ActionRecord.newBuilder().setActionId(incident + "/summary").setKind(ActionKind.FAILOVER_SUMMARY).setName("summary")
                .setStatus(ActionStatus.SUCCEEDED).setIncidentId(incident).setCluster("orders").setStartedAt(at.minusSeconds(3)).setFinishedAt(at)
                .setAttributes(attributes).build();
    }

    private static Consumer<LiveTopology> summary(String incident, String mode, String oldPrimary, String newPrimary, Instant at) {
        ActionRecord record = summaryRecord(incident, mode, oldPrimary, newPrimary, at);
        return topology -> topology.accept(record);
    }

    private static Consumer<LiveTopology> dryRun() {
        ActionRecord record = summaryRecord("inc-5", "DRY_RUN", "pg-1", "pg-2", T.plusSeconds(5));
        record.getAttributes().put("dryRun", "true");
        return topology -> topology.accept(record);
    }

    private static Consumer<LiveTopology> failedFailover() {
        ActionRecord record = ActionRecord.newBuilder(summaryRecord("inc-6", "AUTO", "pg-1", "pg-2", T.plusSeconds(6))).setStatus(ActionStatus.FAILED)
                .build();
        record.getAttributes().put("outcome", "FAILED");
        return topology -> topology.accept(record);
    }

    private static Consumer<LiveTopology> fence(String incident, String node, Instant at) {
        ActionRecord record = ActionRecord.newBuilder(summaryRecord(incident, "FENCE", null, null, at)).build();
        record.getAttributes().put("fencedNode", node);
        return topology -> topology.accept(record);
    }

    private static Consumer<LiveTopology> rejoin(String node, ActionStatus status, Instant at) {
        Map<String, String> attributes = new LinkedHashMap<>(Map.of("node", node, "source", "pg-2", "method", "REWIND"));
        if (status == ActionStatus.SUCCEEDED) {
            attributes.put("streaming.from", "10.0.0.2:5432");
            attributes.put("source.timeline", "2");
        }
        ActionRecord record = ActionRecord.newBuilder().setActionId("rejoin-" + node).setKind(ActionKind.REJOIN).setName("rejoin").setStatus(status)
                .setCluster("orders").setStartedAt(T.plusSeconds(5)).setFinishedAt(status == ActionStatus.STARTED ? null : at)
                .setAttributes(attributes).build();
        return topology -> topology.accept(record);
    }

    private static Consumer<LiveTopology> lease(String node, LeaseState state, Long timeline, Instant at) {
        AgentLease lease = AgentLease.newBuilder().setCluster("orders").setNode(node).setAgentId("agent-" + node).setState(state).setSequence(1)
                .setTtlMillis(5000).setTimeline(timeline).setRenewedAt(at).build();
        return topology -> topology.accept(lease);
    }

    private static Consumer<LiveTopology> health(String collector, String node, boolean ok, NodeRole role, Instant at) {
        HealthObservation observation = HealthObservation.newBuilder().setObservedAt(at)
                .setSource(Source.newBuilder().setCollectorId(collector).setVantage(collector.startsWith("agent:") ? "agent:" + node : "eu").build())
                .setProbe(collector.startsWith("agent:") ? "agent" : "pg").setKind(ProbeKind.POSTGRES).setComponent("orders-db").setCluster("orders")
                .setNode(node).setTarget(node + ":5432").setOk(ok).setAnswered(ok).setRole(role)
                .setDetails(collector.startsWith("agent:") && !ok ? Map.of("agentVerdict", "down") : Map.of()).build();
        return topology -> topology.accept(observation);
    }
}
