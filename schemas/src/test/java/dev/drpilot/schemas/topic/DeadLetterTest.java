package dev.drpilot.schemas.topic;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class DeadLetterTest {

    @Test
    void aDeadLetterKeepsKeyValueAndHeadersAndSaysWhereFromAndWhy() {
        RecordHeaders original = new RecordHeaders();
        original.add("traceparent", bytes("00-abc"));
        byte[] key = bytes("orders");
        byte[] value = {0, 1, 2, (byte) 0xff};
        ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>("drpilot.failover.commands", 3, 42L, 0L, TimestampType.CREATE_TIME,
                key.length, value.length, key, value, original, Optional.empty());

        ProducerRecord<byte[], byte[]> dead = DeadLetter.of(record, "drpilot.deadletter", "drpilot-failover",
                new IllegalArgumentException("not Avro"));

        assertThat(dead.topic()).isEqualTo("drpilot.deadletter");
        assertThat(dead.partition()).isNull();
        assertThat(dead.key()).isEqualTo(key);
        assertThat(dead.value()).isEqualTo(value);
        Map<String, String> headers = new LinkedHashMap<>();
        for (Header header : dead.headers()) {
            headers.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
        }
        assertThat(headers).containsExactly(
                Map.entry("traceparent", "00-abc"),
                Map.entry(DeadLetter.TOPIC, "drpilot.failover.commands"),
                Map.entry(DeadLetter.PARTITION, "3"),
                Map.entry(DeadLetter.OFFSET, "42"),
                Map.entry(DeadLetter.CONSUMER, "drpilot-failover"),
                Map.entry(DeadLetter.REASON, "java.lang.IllegalArgumentException: not Avro"));
        assertThat(Arrays.equals(record.value(), value)).as("the original is left as it was").isTrue();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
