package dev.drpilot.cli;

import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.events.ActionKind;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.ActionStatus;
import dev.drpilot.events.AgentLease;
import dev.drpilot.events.Alert;
import dev.drpilot.events.BackupObservation;
import dev.drpilot.events.HealthObservation;
import dev.drpilot.events.ReplicationObservation;
import dev.drpilot.failover.OperatorControls;
import dev.drpilot.notify.metrics.DrillRuns;
import dev.drpilot.notify.metrics.PlantMetrics;
import dev.drpilot.notify.status.StatusBoard;
import dev.drpilot.notify.status.StatusSnapshot;
import dev.drpilot.notify.topology.LiveTopology;
import dev.drpilot.notify.topology.TopologyReader;
import dev.drpilot.runtime.Seek;
import dev.drpilot.schemas.topic.Topic;
import dev.drpilot.schemas.topic.Topics;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything {@code drpilot status} shows, read once from the topics up to their end offsets when the read began: the
 * live topology (as {@link TopologyReader} reads it), the components' figures and the open alerts (as the status page's
 * {@link StatusBoard} keeps them), the drills' newest runs, the pauses in force and the failovers waiting for approval.
 * Windows as the services use them: observations of the last hour, action records of the last 30 days, backups, alerts,
 * leases and the operators' instructions from the beginning (kept a week, or compacted).
 */
final class StatusReader {
    private static final Duration POLL = Duration.ofMillis(200);
    private static final List<Topic<String, ?>> FROM_START = List.of(Topics.BACKUP_OBSERVATIONS, Topics.ALERTS, Topics.AGENT_LEASES,
            Topics.FAILOVER_CONTROL);

    private final Duration timeout;

    StatusReader(Duration timeout) {
        this.timeout = timeout;
    }

    /** An operator's pause of a cluster's failover; {@code unreadable} when the newest instruction could not be read (it counts). */
    record Pause(String cluster, Instant since, String by, String detail) {
    }

    /** A failover in manual mode waiting for {@code drpilot failover approve INCIDENT}. */
    record PendingApproval(String incident, String cluster, Instant since, String detail) {
    }

    record Result(StatusSnapshot snapshot, Map<String, DrillRuns.Run> drills, List<Pause> pauses, List<PendingApproval> approvals,
                  int unreadable) {
    }

    /** @param consumer without a group, {@code read_committed}, byte arrays; not closed here */
    Result read(Consumer<byte[], byte[]> consumer, DrpilotConfig config, Instant now) {
        LiveTopology topology = new LiveTopology(config);
        StatusBoard board = new StatusBoard(config, Clock.fixed(now, ZoneOffset.UTC), name -> PlantMetrics.staleAfter(config.clusters(), name),
                topology);
        Feed feed = new Feed(topology, board);
        Map<TopicPartition, Long> fromTime = new HashMap<>();
        List<TopicPartition> fromStart = new ArrayList<>();
        for (Topic<String, ?> topic : List.of(Topics.REPLICATION_OBSERVATIONS, Topics.HEALTH_OBSERVATIONS, Topics.ACTIONS,
                Topics.BACKUP_OBSERVATIONS, Topics.ALERTS, Topics.AGENT_LEASES, Topics.FAILOVER_CONTROL)) {
            // partitionsFor, not listTopics: a topic this principal may not read fails the read instead of leaving its part out.
            for (var info : consumer.partitionsFor(topic.name(), timeout)) {
                TopicPartition partition = new TopicPartition(topic.name(), info.partition());
                if (FROM_START.contains(topic)) {
                    fromStart.add(partition);
                } else {
                    Duration back = topic == Topics.ACTIONS ? TopologyReader.ACTIONS : TopologyReader.OBSERVATIONS;
                    fromTime.put(partition, now.minus(back).toEpochMilli());
                }
            }
        }
        List<TopicPartition> all = new ArrayList<>(fromTime.keySet());
        all.addAll(fromStart);
        consumer.assign(all);
        Map<TopicPartition, Long> ends = consumer.endOffsets(all, timeout);
        Seek.toTimes(consumer, fromTime);
        consumer.seekToBeginning(fromStart);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!all.stream().allMatch(partition -> consumer.position(partition, timeout) >= ends.get(partition))) {
            if (System.nanoTime() - deadline > 0) {
                // Part of the picture would be worse than none: a pause or an alert could be missing without a word.
                throw new TimeoutException("the topics were not read to their end within " + timeout.toSeconds() + " s");
            }
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                if (record.offset() < ends.get(new TopicPartition(record.topic(), record.partition()))) {
                    feed.accept(record);
                }
            }
        }
        return new Result(board.snapshot(), feed.drills.all(), feed.pauses(), feed.approvals(), feed.unreadable);
    }

    /** Where each record goes. Not thread-safe: one read, one thread. */
    private static final class Feed {
        private final LiveTopology topology;
        private final StatusBoard board;
        private final DrillRuns drills = new DrillRuns();
        private final Map<String, ActionRecord> pauses = new LinkedHashMap<>();
        private final Map<String, ActionRecord> approvalRequests = new LinkedHashMap<>();
        private final Map<String, Boolean> approved = new HashMap<>();
        private int unreadable;

        Feed(LiveTopology topology, StatusBoard board) {
            this.topology = topology;
            this.board = board;
        }

        void accept(ConsumerRecord<byte[], byte[]> record) {
            String topic = record.topic();
            String key = record.key() == null ? "" : new String(record.key(), StandardCharsets.UTF_8);
            try {
                if (topic.equals(Topics.FAILOVER_CONTROL.name())) {
                    control(key, record.value() == null ? null : Topics.FAILOVER_CONTROL.valueSerde().deserializer()
                            .deserialize(topic, record.headers(), record.value()));
                } else if (record.value() != null) {
                    data(topic, record);
                }
            } catch (RuntimeException e) {
                unreadable++;
                if (topic.equals(Topics.FAILOVER_CONTROL.name()) && key.startsWith(OperatorControls.PAUSE)) {
                    // As the failover actuator takes it: an unreadable newest pause-or-resume counts as a pause.
                    Instant at = Instant.ofEpochMilli(record.timestamp());
                    pauses.put(key.substring(OperatorControls.PAUSE.length()), ActionRecord.newBuilder().setActionId(key)
                            .setKind(ActionKind.OPERATOR).setName("unreadable").setStatus(ActionStatus.FAILED).setStartedAt(at)
                            .setDetail("the newest pause or resume is unreadable and counts as a pause; write a new one").build());
                }
            }
        }

        private void data(String topic, ConsumerRecord<byte[], byte[]> record) {
            if (topic.equals(Topics.REPLICATION_OBSERVATIONS.name())) {
                ReplicationObservation observation = Topics.REPLICATION_OBSERVATIONS.valueSerde().deserializer()
                        .deserialize(topic, record.headers(), record.value());
                topology.accept(observation);
                board.accept(observation);
            } else if (topic.equals(Topics.HEALTH_OBSERVATIONS.name())) {
                HealthObservation observation = Topics.HEALTH_OBSERVATIONS.valueSerde().deserializer()
                        .deserialize(topic, record.headers(), record.value());
                topology.accept(observation);
            } else if (topic.equals(Topics.AGENT_LEASES.name())) {
                AgentLease lease = Topics.AGENT_LEASES.valueSerde().deserializer().deserialize(topic, record.headers(), record.value());
                topology.accept(lease);
            } else if (topic.equals(Topics.BACKUP_OBSERVATIONS.name())) {
                BackupObservation observation = Topics.BACKUP_OBSERVATIONS.valueSerde().deserializer()
                        .deserialize(topic, record.headers(), record.value());
                board.accept(observation);
            } else if (topic.equals(Topics.ALERTS.name())) {
                Alert alert = Topics.ALERTS.valueSerde().deserializer().deserialize(topic, record.headers(), record.value());
                board.accept(alert);
            } else {
                ActionRecord action = Topics.ACTIONS.valueSerde().deserializer().deserialize(topic, record.headers(), record.value());
                topology.accept(action);
                board.accept(action);
                drills.accept(action);
                approval(action);
            }
        }

        private void control(String key, ActionRecord instruction) {
            if (key.startsWith(OperatorControls.PAUSE)) {
                String cluster = key.substring(OperatorControls.PAUSE.length());
                if (instruction != null && instruction.getName().equals("pause")) {
                    pauses.put(cluster, instruction);
                } else {
                    pauses.remove(cluster);
                }
            } else if (key.startsWith(OperatorControls.APPROVE) && instruction != null) {
                approved.put(key.substring(OperatorControls.APPROVE.length()), true);
            }
        }

        /** The newest approval request of an incident waits until an approval, a refusal or a summary of it follows. */
        private void approval(ActionRecord action) {
            String incident = action.getIncidentId();
            if (incident == null) {
                return;
            }
            if (action.getKind() == ActionKind.FAILOVER_APPROVAL && action.getStatus() == ActionStatus.STARTED) {
                approvalRequests.put(incident, action);
            } else if (action.getKind() == ActionKind.FAILOVER_APPROVAL || action.getKind() == ActionKind.FAILOVER_SUMMARY
                    || action.getKind() == ActionKind.FAILOVER_REFUSED) {
                approvalRequests.remove(incident);
            }
        }

        List<Pause> pauses() {
            return pauses.entrySet().stream().map(entry -> new Pause(entry.getKey(), entry.getValue().getStartedAt(),
                    Optional.ofNullable(entry.getValue().getAttributes()).map(attributes -> attributes.get("by")).orElse(null),
                    entry.getValue().getDetail())).toList();
        }

        List<PendingApproval> approvals() {
            return approvalRequests.values().stream().filter(request -> !approved.containsKey(request.getIncidentId()))
                    .map(request -> new PendingApproval(request.getIncidentId(), request.getCluster(), request.getStartedAt(),
                            request.getDetail())).toList();
        }
    }
}
