package dev.drpilot.schemas.topic;

import dev.drpilot.schemas.topic.AccessPolicy.Grant;
import dev.drpilot.schemas.topic.AccessPolicy.Principal;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class AccessPolicyTest {

    @ParameterizedTest(name = "{0} may write {1}: {2}")
    @CsvSource({
            "INGEST,   drpilot.observations.health,      true",
            "INGEST,   drpilot.observations.replication, true",
            "INGEST,   drpilot.collectors.heartbeat,     true",
            "INGEST,   drpilot.failover.commands,        false",
            "INGEST,   drpilot.failover.control,         false",
            "INGEST,   drpilot.alerts,                   false",
            "INGEST,   drpilot.actions,                  false",
            "DETECTOR, drpilot.failover.commands,        true",
            "DETECTOR, drpilot.alerts,                   true",
            "DETECTOR, drpilot.failover.control,         false",
            "DETECTOR, drpilot.observations.health,      false",
            "ACTUATOR, drpilot.actions,                  true",
            "ACTUATOR, drpilot.failover.commands,        false",
            "ACTUATOR, drpilot.failover.control,         false",
            "OPERATOR, drpilot.failover.control,         true",
            "OPERATOR, drpilot.failover.commands,        true",
            "OPERATOR, drpilot.observations.health,      false",
            "DRILL,    drpilot.failover.control,         true",
            "DRILL,    drpilot.failover.commands,        true",
            "DRILL,    drpilot.observations.health,      false",
            "DRILL,    drpilot.agent.commands,           false",
            "AGENT,    drpilot.agent.leases,             true",
            "AGENT,    drpilot.observations.health,      true",
            "AGENT,    drpilot.failover.commands,        false",
            "AGENT,    drpilot.failover.control,         false",
            "AGENT,    drpilot.actions,                  false",
            "INGEST,   drpilot.agent.leases,             false",
            "AGENT,    drpilot.agent.replies,            true",
            "AGENT,    drpilot.agent.commands,           false",
            "ACTUATOR, drpilot.agent.commands,           true",
            "ACTUATOR, drpilot.agent.replies,            false",
            "INGEST,   drpilot.agent.commands,           false",
    })
    void whoMayWriteWhichTopic(Principal principal, String topic, boolean allowed) {
        assertThat(AccessPolicy.allows(principal, AclOperation.WRITE, ResourceType.TOPIC, topic)).isEqualTo(allowed);
    }

    @Test
    void onlyTheOperatorAndItsDrillsWriteControlRecordsAndOnlyTheyAndTheDetectorWriteCommands() {
        assertThat(writers(Topics.FAILOVER_CONTROL)).containsExactlyInAnyOrder(Principal.OPERATOR, Principal.DRILL);
        assertThat(writers(Topics.FAILOVER_COMMANDS)).containsExactlyInAnyOrder(Principal.DETECTOR, Principal.OPERATOR, Principal.DRILL);
    }

    @Test
    void theFailoverReadsCommandsAndControlRecordsAndWritesActions() {
        assertThat(AccessPolicy.allows(Principal.ACTUATOR, AclOperation.READ, ResourceType.TOPIC, Topics.FAILOVER_COMMANDS.name())).isTrue();
        assertThat(AccessPolicy.allows(Principal.ACTUATOR, AclOperation.READ, ResourceType.TOPIC, Topics.FAILOVER_CONTROL.name())).isTrue();
        assertThat(AccessPolicy.allows(Principal.ACTUATOR, AclOperation.READ, ResourceType.GROUP, "drpilot-failover")).isTrue();
        assertThat(AccessPolicy.allows(Principal.ACTUATOR, AclOperation.READ, ResourceType.GROUP, "drpilot-receiver-oncall")).isTrue();
    }

    @Test
    void theDetectorMayRunItsExactlyOnceProducer() {
        assertThat(AccessPolicy.allows(Principal.DETECTOR, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, "drpilot-detector-6f1c-1")).isTrue();
        assertThat(AccessPolicy.allows(Principal.DETECTOR, AclOperation.IDEMPOTENT_WRITE, ResourceType.CLUSTER, "kafka-cluster")).isTrue();
        assertThat(AccessPolicy.allows(Principal.INGEST, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, "drpilot-detector-6f1c-1")).isFalse();
    }

    @Test
    void everyTopicHasAWriter() {
        for (Topic<?, ?> topic : Topics.all()) {
            assertThat(writers(topic)).as(topic.name()).isNotEmpty();
        }
    }

    @Test
    void bindingsAreOnePerOperation() {
        assertThat(AccessPolicy.bindings()).hasSize(AccessPolicy.grants().stream().mapToInt(grant -> grant.operations().size()).sum());
    }

    @ParameterizedTest(name = "{0} is {1} in Strimzi")
    @CsvSource({"READ, Read", "IDEMPOTENT_WRITE, IdempotentWrite", "DESCRIBE_CONFIGS, DescribeConfigs", "ALL, All"})
    void strimziSpellsOperationsInCamelCase(AclOperation operation, String strimzi) {
        assertThat(Grant.strimziOperation(operation)).isEqualTo(strimzi);
    }

    private static List<Principal> writers(Topic<?, ?> topic) {
        return Arrays.stream(Principal.values())
                .filter(principal -> AccessPolicy.allows(principal, AclOperation.WRITE, ResourceType.TOPIC, topic.name())).toList();
    }
}
