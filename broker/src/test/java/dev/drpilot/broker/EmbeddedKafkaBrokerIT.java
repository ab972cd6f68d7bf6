package dev.drpilot.broker;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EmbeddedKafkaBrokerIT {

    @TempDir
    Path stateDir;

    @Test
    void keepsEventsAndClusterIdAcrossRestartOnTheSameStateDirectory() throws Exception {
        String clusterId;
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder(stateDir).build().start()) {
            clusterId = broker.clusterId();
            try (Admin admin = Admin.create(broker.clientProperties())) {
                admin.createTopics(List.of(new NewTopic("restart-check", 1, (short) 1))).all().get();
            }
            try (KafkaProducer<String, String> producer = producer(broker)) {
                producer.send(new ProducerRecord<>("restart-check", "orders", "before restart")).get();
            }
        }

        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder(stateDir).build().start()) {
            assertThat(broker.clusterId()).isEqualTo(clusterId);
            assertThat(readAll(broker, "restart-check", 1))
                    .extracting(ConsumerRecord::value)
                    .containsExactly("before restart");
        }
    }

    @Test
    void namesThePortAndTheSettingWhenThePortIsTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder(stateDir).port(taken.getLocalPort()).build();
            assertThatThrownBy(broker::start)
                    .isInstanceOf(EmbeddedBrokerException.class)
                    .hasMessageContaining("port " + taken.getLocalPort())
                    .hasMessageContaining("kafka.embedded.port");
        }
    }

    private static KafkaProducer<String, String> producer(EmbeddedKafkaBroker broker) {
        Map<String, Object> props = new HashMap<>(broker.clientProperties());
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        return new KafkaProducer<>(props);
    }

    private static List<ConsumerRecord<String, String>> readAll(EmbeddedKafkaBroker broker, String topic, int expected) {
        Map<String, Object> props = new HashMap<>(broker.clientProperties());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "restart-check-reader");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            consumer.subscribe(Set.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (records.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }
}
