package dev.drpilot.recovery;

import dev.drpilot.events.RestoreCheck;
import dev.drpilot.schemas.topic.Topics;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Publishes a restore check's outcome on drpilot.recovery.checks, keyed by component, and waits for Kafka to take it. */
public final class RestoreCheckPublisher {
    private final Producer<String, RestoreCheck> producer;
    private final Duration timeout;

    public RestoreCheckPublisher(Producer<String, RestoreCheck> producer, Duration timeout) {
        this.producer = producer;
        this.timeout = timeout;
    }

    /** @throws IllegalStateException when Kafka did not acknowledge it: an unpublished check proves nothing to anyone */
    public void publish(RestoreCheck check) {
        try {
            producer.send(new ProducerRecord<>(Topics.RESTORE_CHECKS.name(), check.getComponent().toString(), check))
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the restore check of " + check.getComponent() + " could not be published: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing the restore check of " + check.getComponent(), e);
        }
    }
}
