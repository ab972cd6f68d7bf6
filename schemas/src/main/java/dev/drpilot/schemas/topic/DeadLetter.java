package dev.drpilot.schemas.topic;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.charset.StandardCharsets;

/**
 * A record nobody could read, as it goes to {@code drpilot.deadletter}: its key and value byte for byte, its own
 * headers, and headers that say where it came from and why it was skipped. Every consumer that dead-letters by hand
 * writes these same header names, so one triage tool reads them all.
 */
public final class DeadLetter {
    public static final String TOPIC = "drpilot.error.topic";
    public static final String PARTITION = "drpilot.error.partition";
    public static final String OFFSET = "drpilot.error.offset";
    public static final String CONSUMER = "drpilot.error.consumer";
    public static final String REASON = "drpilot.error.reason";

    private DeadLetter() {
    }

    /** @param consumer the consumer group (or reader) that could not read it */
    public static ProducerRecord<byte[], byte[]> of(ConsumerRecord<byte[], byte[]> record, String deadLetterTopic, String consumer,
                                                    Exception reason) {
        RecordHeaders headers = new RecordHeaders(record.headers().toArray());
        headers.add(TOPIC, bytes(record.topic()));
        headers.add(PARTITION, bytes(Integer.toString(record.partition())));
        headers.add(OFFSET, bytes(Long.toString(record.offset())));
        headers.add(CONSUMER, bytes(consumer));
        headers.add(REASON, bytes(String.valueOf(reason)));
        return new ProducerRecord<>(deadLetterTopic, null, record.key(), record.value(), headers);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
