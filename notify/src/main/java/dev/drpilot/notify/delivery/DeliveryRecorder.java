package dev.drpilot.notify.delivery;

import dev.drpilot.events.ActionRecord;
import dev.drpilot.schemas.topic.DeadLetter;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Writes delivery outcomes to the audit topic and unreadable alert records to the dead-letter
 * topic, and waits for the broker's acknowledgement: a worker commits an alert's offset only
 * once its outcome is durably recorded. Shared by every worker (the producer is thread-safe).
 */
public final class DeliveryRecorder {
    private static final long ACK_TIMEOUT_SECONDS = 60;

    private final Producer<byte[], byte[]> producer;
    private final String actionsTopic;
    private final Serializer<ActionRecord> actionSerializer;
    private final String deadLetterTopic;
    private final StringSerializer keys = new StringSerializer();

    public DeliveryRecorder(Producer<byte[], byte[]> producer, String actionsTopic, Serializer<ActionRecord> actionSerializer,
                            String deadLetterTopic) {
        this.producer = producer;
        this.actionsTopic = actionsTopic;
        this.actionSerializer = actionSerializer;
        this.deadLetterTopic = deadLetterTopic;
    }

    /** Keyed like the rest of the audit trail: by incident, else by cluster, else by component. */
    public void record(ActionRecord action, String key) {
        send(new ProducerRecord<>(actionsTopic, keys.serialize(actionsTopic, key), actionSerializer.serialize(actionsTopic, action)));
    }

    /** The record byte for byte, with where it came from and why it was skipped in its headers. */
    public void deadLetter(ConsumerRecord<byte[], byte[]> record, String consumerGroup, Exception reason) {
        send(DeadLetter.of(record, deadLetterTopic, consumerGroup, reason));
    }

    private void send(ProducerRecord<byte[], byte[]> record) {
        try {
            producer.send(record).get(ACK_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RecordingFailedException(record.topic(), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new RecordingFailedException(record.topic(), e);
        }
    }

    /** The outcome could not be written; the alert's offset must not be committed. */
    public static final class RecordingFailedException extends RuntimeException {
        RecordingFailedException(String topic, Exception cause) {
            super("could not write to " + topic + ": " + cause, cause);
        }
    }
}
