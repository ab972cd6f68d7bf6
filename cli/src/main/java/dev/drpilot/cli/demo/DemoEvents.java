package dev.drpilot.cli.demo;

import dev.drpilot.events.ActionKind;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.ActionStatus;
import dev.drpilot.events.Alert;
import dev.drpilot.events.ReplicationObservation;
import dev.drpilot.runtime.ConsumerLoop;
import dev.drpilot.runtime.RecordHandler;
import dev.drpilot.schemas.topic.Topics;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * What drpilot itself said during the demo, read back from its topics as any consumer would:
 * the alerts, the action records (deliveries, failover steps) and the replication figures.
 * Alerts and failover steps are narrated as they arrive; the scenarios wait on them.
 */
public final class DemoEvents implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Narrator narrator;
    private final Deserializer<Alert> alerts = Topics.ALERTS.valueSerde().deserializer();
    private final Deserializer<ActionRecord> actions = Topics.ACTIONS.valueSerde().deserializer();
    private final Deserializer<ReplicationObservation> replication = Topics.REPLICATION_OBSERVATIONS.valueSerde().deserializer();
    private final List<Alert> alertLog = new CopyOnWriteArrayList<>();
    private final List<ActionRecord> actionLog = new CopyOnWriteArrayList<>();
    private final Map<String, ReplicationObservation> latestByReplica = new ConcurrentHashMap<>();
    private final Set<String> quietReceivers;
    private ConsumerLoop<byte[], byte[]> loop;

    /** @param quietReceivers receivers whose successful deliveries are not narrated (the log receiver) */
    public DemoEvents(Map<String, Object> kafkaClientProperties, Narrator narrator, Set<String> quietReceivers) {
        this.quietReceivers = Set.copyOf(quietReceivers);
        Map<String, Object> props = new HashMap<>(kafkaClientProperties);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // Alerts and failover commands are written in transactions: show only what was committed.
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.narrator = narrator;
    }

    public synchronized DemoEvents start() {
        // Looked up here, not on the loop's thread: a demo whose topics are missing fails at once, not with silence.
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : List.of(Topics.ALERTS.name(), Topics.ACTIONS.name(), Topics.REPLICATION_OBSERVATIONS.name())) {
            consumer.partitionsFor(topic, Duration.ofSeconds(30)).forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
        }
        loop = ConsumerLoop.builder("drpilot-demo-events", consumer)
                .assign(assigned -> {
                    // The demo's broker is new: every record on these topics belongs to this demo.
                    assigned.assign(partitions);
                    assigned.seekToBeginning(partitions);
                })
                .handler(RecordHandler.each(this::accept))
                .pollTimeout(Duration.ofMillis(200))
                .closeTimeout(Duration.ofSeconds(5))
                .consumerCloseTimeout(Duration.ofSeconds(2))
                .whenDead("the demo no longer sees what drpilot says")
                .build()
                .start();
        return this;
    }

    private void accept(ConsumerRecord<byte[], byte[]> record) {
        try {
            if (record.topic().equals(Topics.ALERTS.name())) {
                Alert alert = alerts.deserialize(record.topic(), record.value());
                alertLog.add(alert);
                narrateAlert(alert);
            } else if (record.topic().equals(Topics.ACTIONS.name())) {
                ActionRecord action = actions.deserialize(record.topic(), record.value());
                actionLog.add(action);
                narrateAction(action);
            } else {
                ReplicationObservation observation = replication.deserialize(record.topic(), record.value());
                if (observation.getReplicaNode() != null) {
                    latestByReplica.put(observation.getReplicaNode(), observation);
                }
            }
        } catch (RuntimeException e) {
            narrator.say("(a record on %s the demo cannot read: %s)", record.topic(), e.getMessage());
        }
    }

    private void narrateAlert(Alert alert) {
        String summary = Optional.ofNullable(alert.getAnnotations().get("summary")).orElse("");
        String where = alert.getComponent() + (alert.getNode() == null ? "" : "/" + alert.getNode());
        narrator.say("drpilot: ALERT %s  %s  %s  [%s]  %s", alert.getStatus(), alert.getRule(), where,
                alert.getSeverity().name().toLowerCase(Locale.ROOT), summary);
    }

    private void narrateAction(ActionRecord action) {
        if (action.getStatus() == ActionStatus.STARTED) {
            return;
        }
        String took = action.getFinishedAt() == null ? "" : " in " + Duration.between(action.getStartedAt(), action.getFinishedAt()).toMillis() + " ms";
        if (action.getKind() == ActionKind.ALERT_DELIVERY && action.getStatus() == ActionStatus.SUCCEEDED
                && quietReceivers.contains(action.getName())) {
            return;
        }
        if (action.getKind() == ActionKind.ALERT_DELIVERY) {
            narrator.say("drpilot: delivered to receiver %s: %s (%s)", action.getName(), action.getDetail(), action.getStatus());
        } else if (action.getKind() == ActionKind.FAILOVER_SUMMARY) {
            narrator.say("drpilot: failover %s: %s", action.getStatus(), action.getDetail());
        } else {
            narrator.say("drpilot: failover step %-8s %s%s: %s", action.getName(), action.getStatus(), took, action.getDetail());
        }
    }

    /** The first alert that matches, once it was published. */
    public Optional<Alert> alert(Predicate<Alert> match) {
        return alertLog.stream().filter(match).findFirst();
    }

    public Optional<ActionRecord> action(Predicate<ActionRecord> match) {
        return actionLog.stream().filter(match).findFirst();
    }

    public List<ActionRecord> actions(Predicate<ActionRecord> match) {
        return actionLog.stream().filter(match).toList();
    }

    /** The newest replication observation of a replica. */
    public Optional<ReplicationObservation> latestReplication(String replica) {
        return Optional.ofNullable(latestByReplica.get(replica));
    }

    public static Predicate<Alert> alert(String rule, String status) {
        return alert -> rule.equals(alert.getRule()) && status.equals(alert.getStatus().name());
    }

    @Override
    public synchronized void close() {
        if (loop == null) {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(2)));
        } else {
            loop.close();
        }
    }
}
