package dev.drpilot.ingest.api;

import dev.drpilot.events.BackupObservation;
import dev.drpilot.events.HealthObservation;
import dev.drpilot.events.ReplicationObservation;
import dev.drpilot.schemas.topic.Topic;
import dev.drpilot.schemas.topic.Topics;
import org.apache.avro.specific.SpecificRecord;

import java.time.Instant;
import java.util.Optional;
import java.util.function.Function;

/** The observations the API accepts: path segment, record type, topic, and how records are keyed and checked. */
enum ObservationKind {
    REPLICATION("replication", ReplicationObservation.class, Topics.REPLICATION_OBSERVATIONS,
            record -> ((ReplicationObservation) record).getCluster(),
            record -> ((ReplicationObservation) record).getComponent(),
            record -> ((ReplicationObservation) record).getObservedAt()),
    BACKUP("backup", BackupObservation.class, Topics.BACKUP_OBSERVATIONS,
            record -> Optional.ofNullable(((BackupObservation) record).getCluster()).orElse(((BackupObservation) record).getComponent()),
            record -> ((BackupObservation) record).getComponent(),
            record -> ((BackupObservation) record).getObservedAt()),
    HEALTH("health", HealthObservation.class, Topics.HEALTH_OBSERVATIONS,
            record -> Optional.ofNullable(((HealthObservation) record).getCluster()).orElse(((HealthObservation) record).getComponent()),
            record -> ((HealthObservation) record).getComponent(),
            record -> ((HealthObservation) record).getObservedAt());

    final String path;
    final JsonObservations<? extends SpecificRecord> json;
    final Topic<String, ? extends SpecificRecord> topic;
    final Function<SpecificRecord, String> key;
    final Function<SpecificRecord, String> component;
    final Function<SpecificRecord, Instant> observedAt;

    <T extends SpecificRecord> ObservationKind(String path, Class<T> type, Topic<String, T> topic, Function<SpecificRecord, String> key,
                                               Function<SpecificRecord, String> component, Function<SpecificRecord, Instant> observedAt) {
        this.path = path;
        this.json = new JsonObservations<>(type);
        this.topic = topic;
        this.key = key;
        this.component = component;
        this.observedAt = observedAt;
    }

    static Optional<ObservationKind> byPath(String path) {
        for (ObservationKind kind : values()) {
            if (kind.path.equals(path)) {
                return Optional.of(kind);
            }
        }
        return Optional.empty();
    }

    /** The record's value bytes, serialized exactly as the topic's serde does. */
    @SuppressWarnings("unchecked")
    byte[] serialize(SpecificRecord record) {
        return ((Topic<String, SpecificRecord>) topic).valueSerde().serializer().serialize(topic.name(), record);
    }
}
