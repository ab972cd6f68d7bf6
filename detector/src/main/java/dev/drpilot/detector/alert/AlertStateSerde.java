package dev.drpilot.detector.alert;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

import java.io.IOException;

/**
 * State-store values as JSON: internal to the detector (its changelog topic), readable when
 * debugging a stuck alert, and tolerant of fields added later.
 */
public final class AlertStateSerde {
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private AlertStateSerde() {
    }

    public static Serde<AlertState> create() {
        Serializer<AlertState> serializer = (topic, state) -> {
            try {
                return state == null ? null : JSON.writeValueAsBytes(state);
            } catch (IOException e) {
                throw new SerializationException("cannot write alert state for " + topic, e);
            }
        };
        Deserializer<AlertState> deserializer = (topic, bytes) -> {
            try {
                return bytes == null ? null : JSON.readValue(bytes, AlertState.class);
            } catch (IOException e) {
                throw new SerializationException("cannot read alert state from " + topic + ": " + e.getMessage(), e);
            }
        };
        return Serdes.serdeFrom(serializer, deserializer);
    }
}
