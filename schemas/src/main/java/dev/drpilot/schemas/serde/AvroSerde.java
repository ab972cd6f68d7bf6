package dev.drpilot.schemas.serde;

import java.nio.ByteOrder;
import java.util.Map;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;

/**
 * Kafka serde for a generated Avro record in Avro's single-object encoding: a two-byte marker,
 * the writer schema's 64-bit fingerprint, then the binary datum. The fingerprint lets a reader
 * pick the schema the bytes were written with, so it resolves data from older writers as long as
 * that older schema is registered (every version kept under {@code avro-history/} is).
 *
 * <p>Bytes it cannot read are an error, never a silent null: the exception names the record
 * type, the topic and what was wrong, so a deserialization handler can route the record to the
 * dead-letter topic and count it.
 */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T>, Serializer<T>, Deserializer<T> {
    static {
        TrustedEventClasses.install();
    }

    private final Class<T> type;
    private final Schema schema;
    private final BinaryMessageEncoder<T> encoder;
    private final BinaryMessageDecoder<T> decoder;

    public AvroSerde(Class<T> type, Schema schema, List<Schema> olderVersions) {
        this.type = Objects.requireNonNull(type, "type");
        this.schema = Objects.requireNonNull(schema, "schema");
        SpecificData model = SpecificData.getForClass(type);
        this.encoder = new BinaryMessageEncoder<>(model, schema);
        this.decoder = new BinaryMessageDecoder<>(model, schema);
        olderVersions.forEach(decoder::addSchema);
    }

    /** A serde that also reads every committed older version of {@code type}'s schema. */
    public static <T extends SpecificRecord> AvroSerde<T> of(Class<T> type) {
        Schema current = SpecificData.get().getSchema(type);
        return new AvroSerde<>(type, current, SchemaHistory.versionsOf(current.getName()));
    }

    public Class<T> type() {
        return type;
    }

    public Schema schema() {
        return schema;
    }

    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        try {
            ByteBuffer buffer = encoder.encode(data);
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (IOException | RuntimeException e) {
            // A required field left null shows up here, so the message must say which record it was.
            throw new SerializationException("Cannot serialize " + type.getName() + " for topic " + topic + ": " + e.getMessage(), e);
        }
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null; // a tombstone, by Kafka's convention
        }
        try {
            return decoder.decode(data);
        } catch (BadHeaderException e) {
            throw failure(topic, "not Avro single-object encoding (bad header: " + e.getMessage() + ")", e);
        } catch (MissingSchemaException e) {
            throw failure(topic, "unknown schema fingerprint 0x" + fingerprintOf(data)
                    + " (written with a schema this reader does not know; is it newer than this drpilot?)", e);
        } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException e) {
            throw failure(topic, "corrupt or truncated record of " + data.length + " bytes (" + e + ")", e);
        }
    }

    private SerializationException failure(String topic, String reason, Exception cause) {
        return new SerializationException("Cannot deserialize " + type.getName() + " from topic " + topic + ": " + reason, cause);
    }

    /** The writer fingerprint as the header carries it (little-endian long after the 2-byte marker). */
    private static String fingerprintOf(byte[] data) {
        if (data.length < 10) {
            return "?";
        }
        long fingerprint = ByteBuffer.wrap(data, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return String.format("%016x", fingerprint);
    }

    /** The CRC-64-AVRO fingerprint a writer with {@code schema} puts in its header. */
    public static long fingerprint(Schema schema) {
        return SchemaNormalization.parsingFingerprint64(schema);
    }

    @Override
    public Serializer<T> serializer() {
        return this;
    }

    @Override
    public Deserializer<T> deserializer() {
        return this;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        // Configured by construction: the record type fixes the schema.
    }

    @Override
    public void close() {
        // Stateless: nothing to release. Kafka calls close on serializer and deserializer alike.
    }
}
