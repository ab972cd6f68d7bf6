package dev.drpilot.ingest;

import dev.drpilot.events.CollectorHeartbeat;
import dev.drpilot.schemas.topic.Topics;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class HeartbeatPublisherTest {
    private static final Instant NOW = Instant.parse("2026-11-24T03:00:00Z");
    private static final CollectorIdentity IDENTITY = new CollectorIdentity("collector-1", "eu-west-1a", "0.1.0");

    private final MockProducer<String, CollectorHeartbeat> producer = new MockProducer<>(true, null,
            Serdes.String().serializer(), Topics.COLLECTOR_HEARTBEATS.valueSerde().serializer());

    @Test
    void aHeartbeatSaysWhoWhereWhenAndHowOftenKeyedByCollector() {
        try (HeartbeatPublisher publisher = new HeartbeatPublisher(IDENTITY, Duration.ofSeconds(10), List.of("heartbeat"),
                producer, Clock.fixed(NOW, ZoneOffset.UTC))) {
            publisher.beat();
        }

        ProducerRecord<String, CollectorHeartbeat> sent = producer.history().get(0);
        assertThat(sent.topic()).isEqualTo("drpilot.collectors.heartbeat");
        assertThat(sent.key()).isEqualTo("collector-1");
        assertThat(sent.value().getVantage()).isEqualTo("eu-west-1a");
        assertThat(sent.value().getSentAt()).isEqualTo(NOW);
        assertThat(sent.value().getIntervalMillis()).isEqualTo(10_000L);
        assertThat(sent.value().getRuns()).containsExactly("heartbeat");
        assertThat(sent.value().getVersion()).isEqualTo("0.1.0");
    }

    @Test
    void aHeartbeatKafkaRefusesIsCountedNotLostSilently() {
        MockProducer<String, CollectorHeartbeat> failing = new MockProducer<>(false, null,
                Serdes.String().serializer(), Topics.COLLECTOR_HEARTBEATS.valueSerde().serializer());
        try (HeartbeatPublisher publisher = new HeartbeatPublisher(IDENTITY, Duration.ofSeconds(10), List.of(),
                failing, Clock.fixed(NOW, ZoneOffset.UTC))) {
            publisher.beat();
            failing.errorNext(new TimeoutException("broker unreachable"));

            assertThat(publisher.failures()).isEqualTo(1);
        }
    }
}
