package dev.drpilot.schemas.serde;

import dev.drpilot.events.Alert;
import dev.drpilot.events.CollectorHeartbeat;
import dev.drpilot.events.HealthObservation;
import dev.drpilot.schemas.SampleEvents;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AvroSerdeTest {

    static List<SpecificRecord> everyRecord() {
        return SampleEvents.everyRecord();
    }

    @ParameterizedTest
    @MethodSource("everyRecord")
    @SuppressWarnings("unchecked")
    void everyRecordSurvivesARoundTrip(SpecificRecord record) {
        AvroSerde<SpecificRecord> serde = AvroSerde.of((Class<SpecificRecord>) record.getClass());
        byte[] bytes = serde.serialize("t", record);
        assertThat(serde.deserialize("t", bytes)).isEqualTo(record);
    }

    @Test
    void bytesCarryTheSchemaFingerprintInTheSingleObjectHeader() {
        byte[] bytes = EventSerdes.ALERT.serialize("drpilot.alerts", SampleEvents.alert());
        assertThat(bytes[0]).isEqualTo((byte) 0xC3);
        assertThat(bytes[1]).isEqualTo((byte) 0x01);
        long fingerprint = ByteBuffer.wrap(bytes, 2, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(fingerprint).isEqualTo(AvroSerde.fingerprint(Alert.getClassSchema()));
    }

    @Test
    void garbageIsASerializationExceptionNamingTypeTopicAndReason() {
        assertThatThrownBy(() -> EventSerdes.ALERT.deserialize("drpilot.alerts", "{\"not\":\"avro\"}".getBytes()))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("dev.drpilot.events.Alert")
                .hasMessageContaining("drpilot.alerts")
                .hasMessageContaining("not Avro single-object encoding");
    }

    @Test
    void anEmptyArrayIsNotSilentlyNull() {
        assertThatThrownBy(() -> EventSerdes.ALERT.deserialize("drpilot.alerts", new byte[0]))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("drpilot.alerts");
    }

    @Test
    void aTruncatedRecordIsReportedAsCorrupt() {
        byte[] bytes = EventSerdes.ALERT.serialize("drpilot.alerts", SampleEvents.alert());
        byte[] truncated = Arrays.copyOf(bytes, bytes.length / 2);
        assertThatThrownBy(() -> EventSerdes.ALERT.deserialize("drpilot.alerts", truncated))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("corrupt or truncated");
    }

    @Test
    void aRecordFromAnUnknownSchemaNamesItsFingerprint() {
        byte[] heartbeat = EventSerdes.COLLECTOR_HEARTBEAT.serialize("drpilot.collectors.heartbeat", SampleEvents.heartbeat());
        String expected = String.format("%016x", AvroSerde.fingerprint(CollectorHeartbeat.getClassSchema()));
        assertThatThrownBy(() -> EventSerdes.ALERT.deserialize("drpilot.alerts", heartbeat))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("unknown schema fingerprint 0x" + expected);
    }

    @Test
    void tombstonesAndNullsPassThroughAsNull() {
        assertThat(EventSerdes.ALERT.deserialize("drpilot.alerts", null)).isNull();
        assertThat(EventSerdes.ALERT.serialize("drpilot.alerts", null)).isNull();
    }

    @Test
    void aMissingRequiredFieldIsASerializationExceptionNotACorruptRecord() {
        CollectorHeartbeat incomplete = new CollectorHeartbeat(); // every field null
        assertThatThrownBy(() -> EventSerdes.COLLECTOR_HEARTBEAT.serialize("drpilot.collectors.heartbeat", incomplete))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("CollectorHeartbeat")
                .hasMessageContaining("drpilot.collectors.heartbeat");
    }

    @Test
    void readsDataWrittenWithAnOlderVersionOfTheSchema() throws Exception {
        // An older writer: the heartbeat before 'runs' and 'version' existed.
        Schema older = SchemaBuilder.record("CollectorHeartbeat").namespace("dev.drpilot.events").fields()
                .requiredString("collectorId")
                .requiredString("vantage")
                .name("sentAt").type(org.apache.avro.LogicalTypes.timestampMillis().addToSchema(Schema.create(Schema.Type.LONG))).noDefault()
                .requiredLong("intervalMillis")
                .endRecord();
        GenericRecord written = new GenericData.Record(older);
        written.put("collectorId", "old-collector");
        written.put("vantage", "dc-2");
        written.put("sentAt", SampleEvents.T0.toEpochMilli());
        written.put("intervalMillis", 5_000L);
        ByteBuffer bytes = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), older).encode(written);
        byte[] data = new byte[bytes.remaining()];
        bytes.get(data);

        AvroSerde<CollectorHeartbeat> reader = new AvroSerde<>(CollectorHeartbeat.class, CollectorHeartbeat.getClassSchema(), List.of(older));
        CollectorHeartbeat read = reader.deserialize("drpilot.collectors.heartbeat", data);

        assertThat(read.getCollectorId()).isEqualTo("old-collector");
        assertThat(read.getSentAt()).isEqualTo(SampleEvents.T0);
        assertThat(read.getRuns()).isEmpty();          // the newer field's default
        assertThat(read.getVersion()).isEmpty();
    }

    @Test
    void aFailedProbeWrittenBeforeAnsweredExistedStillReadsAsNoAnswer() throws Exception {
        // v1 knew only ok/error: its failed probes must keep meaning "did not answer" (a failed probe), not "answered".
        Schema v1 = SchemaHistory.versionsOf("HealthObservation").get(0);
        GenericRecord source = new GenericData.Record(v1.getField("source").schema());
        source.put("collectorId", "old-collector");
        source.put("vantage", "dc-2");
        GenericRecord written = new GenericData.Record(v1);
        written.put("observedAt", SampleEvents.T0.toEpochMilli());
        written.put("source", source);
        written.put("probe", "orders-pg-1");
        written.put("kind", new GenericData.EnumSymbol(v1.getField("kind").schema(), "POSTGRES"));
        written.put("component", "orders-db");
        written.put("target", "10.0.1.5:5432");
        written.put("ok", false);
        written.put("role", new GenericData.EnumSymbol(v1.getField("role").schema(), "UNKNOWN"));
        written.put("error", "PSQLException: Connection refused");
        written.put("details", Map.of());
        ByteBuffer bytes = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(written);
        byte[] data = new byte[bytes.remaining()];
        bytes.get(data);

        HealthObservation read = AvroSerde.of(HealthObservation.class).deserialize("drpilot.observations.health", data);

        assertThat(read.getOk()).isFalse();
        assertThat(read.getAnswered()).isFalse();
        assertThat(read.getSqlState()).isNull();
    }

    @Test
    void theSharedSerdesRegisterTheCommittedHistory() {
        assertThat(SchemaHistory.versionsOf("Alert")).isNotEmpty();
        assertThat(SchemaHistory.versionsOf("NoSuchRecord")).isEmpty();
    }
}
