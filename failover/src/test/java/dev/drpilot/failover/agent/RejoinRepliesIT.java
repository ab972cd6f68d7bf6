package dev.drpilot.failover.agent;

import dev.drpilot.broker.EmbeddedKafkaBroker;
import dev.drpilot.events.ActionKind;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.ActionStatus;
import dev.drpilot.events.AgentCommandKind;
import dev.drpilot.events.AgentReply;
import dev.drpilot.events.AgentReplyOutcome;
import dev.drpilot.failover.AuditLog;
import dev.drpilot.failover.DeadLetters;
import dev.drpilot.schemas.topic.TopicAdmin;
import dev.drpilot.schemas.topic.Topics;
import dev.drpilot.testkit.EmbeddedKafkaExtension;
import dev.drpilot.testkit.KafkaTestClients;
import dev.drpilot.testkit.TestNames;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The actuator records what agents report about their rejoins, on a real broker: a rejoin reply becomes its REJOIN record; a
 * reply keyed for another node than it names, and a record that is no reply, are dead-lettered and paged; a reply to another
 * kind of command is left to whoever asked.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class RejoinRepliesIT {

    private static AgentReply reply(String cluster, String node, AgentCommandKind kind, String incident) {
        return AgentReply.newBuilder().setCommandId(incident + "/" + kind + "/" + node).setCluster(cluster).setNode(node).setAgentId("agent-1")
                .setKind(kind).setOutcome(AgentReplyOutcome.DONE).setDetail(kind + " of " + node + " done").setRepliedAt(Instant.now())
                .setAttributes(new HashMap<>(Map.of("incidentId", incident, "discarded.rel.public.accounts", "7 inserted"))).build();
    }

    @Test
    void aRejoinReplyIsRecordedAndAForgedOrUnreadableOneDeadLettered(EmbeddedKafkaBroker broker) throws Exception {
        try (Admin admin = Admin.create(broker.clientProperties())) {
            TopicAdmin.ensureTopics(admin, List.of(Topics.AGENT_REPLIES, Topics.ACTIONS, Topics.DEAD_LETTER), 1, Optional.empty(),
                    Duration.ofSeconds(30));
        }
        String cluster = TestNames.unique("replies");
        Instant since = Instant.now().minusSeconds(5);
        byte[] garbage = ("no reply " + cluster).getBytes(StandardCharsets.UTF_8);
        try (KafkaProducer<byte[], byte[]> raw = KafkaTestClients.producer(broker, new ByteArraySerializer(), new ByteArraySerializer());
             KafkaProducer<String, AgentReply> agent = KafkaTestClients.producer(broker, new StringSerializer(),
                     Topics.AGENT_REPLIES.valueSerde().serializer())) {
            agent.send(new ProducerRecord<>(Topics.AGENT_REPLIES.name(), cluster + "/pg-1", reply(cluster, "pg-1", AgentCommandKind.REJOIN, "i-1"))).get();
            agent.send(new ProducerRecord<>(Topics.AGENT_REPLIES.name(), cluster + "/pg-2", reply(cluster, "pg-1", AgentCommandKind.REJOIN, "i-2"))).get();
            agent.send(new ProducerRecord<>(Topics.AGENT_REPLIES.name(), cluster + "/pg-1", reply(cluster, "pg-1", AgentCommandKind.FENCE, "i-3"))).get();
            raw.send(new ProducerRecord<>(Topics.AGENT_REPLIES.name(), (cluster + "/pg-1").getBytes(StandardCharsets.UTF_8), garbage)).get();
        }

        Map<String, Object> props = new HashMap<>(broker.clientProperties());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        try (AuditLog audit = new AuditLog(new KafkaProducer<>(props, new StringSerializer(), Topics.ACTIONS.valueSerde().serializer()),
                broker.clientProperties());
             DeadLetters deadLetters = DeadLetters.open(broker.clientProperties(), audit, Clock.systemUTC());
             RejoinReplies replies = new RejoinReplies(broker.clientProperties(), audit, deadLetters, Set.of(cluster), Clock.systemUTC()).start()) {
            await("the rejoin recorded, the forged and the unreadable reply dead-lettered").atMost(Duration.ofSeconds(60)).until(() ->
                    deadLetters.count() == 2 && audit.read(since, record -> cluster.equals(record.getCluster())).stream()
                            .anyMatch(record -> record.getKind() == ActionKind.REJOIN));
            List<ActionRecord> records = audit.read(since, record -> cluster.equals(record.getCluster()));

            assertThat(records).filteredOn(record -> record.getKind() == ActionKind.REJOIN).singleElement().satisfies(record -> {
                assertThat(record.getActionId()).isEqualTo("i-1/rejoin-pg-1");
                assertThat(record.getStatus()).isEqualTo(ActionStatus.SUCCEEDED);
                assertThat(record.getAttributes()).containsEntry("discarded.rel.public.accounts", "7 inserted").containsEntry("agentId", "agent-1");
            });
            assertThat(records).filteredOn(record -> record.getKind() == ActionKind.FAILOVER_REFUSED).hasSize(2)
                    .allSatisfy(page -> assertThat(page.getDetail()).contains("a node agent's reply could not be recorded"))
                    .anySatisfy(page -> assertThat(page.getAttributes().get("reason")).contains("an agent may report only about its own node"));
            assertThat(replies.worker().alive()).isTrue();
        }
    }
}
