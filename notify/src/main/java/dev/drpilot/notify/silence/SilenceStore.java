package dev.drpilot.notify.silence;

import dev.drpilot.config.Durations;
import dev.drpilot.config.Matchers;
import dev.drpilot.events.ActionKind;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.ActionStatus;
import dev.drpilot.events.Silence;
import dev.drpilot.schemas.topic.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Reads and writes the silences topic from a command (not a service): {@link #read} takes the whole topic once, up to
 * the end offsets it had when the read began ({@code drpilot silence list}, and {@code drpilot status}'s silences in
 * force); {@link #add} and {@link #expire} write a silence's new version and its audit record on {@code drpilot.actions},
 * waiting for both.
 */
public final class SilenceStore {
    private final Map<String, Object> kafka;
    private final String silencesTopic;
    private final String actionsTopic;
    private final Clock clock;
    private final Duration timeout;

    public SilenceStore(Map<String, Object> kafkaClientProperties, Clock clock) {
        this(kafkaClientProperties, Topics.SILENCES.name(), Topics.ACTIONS.name(), clock, Duration.ofSeconds(30));
    }

    public SilenceStore(Map<String, Object> kafkaClientProperties, String silencesTopic, String actionsTopic, Clock clock, Duration timeout) {
        this.kafka = Map.copyOf(kafkaClientProperties);
        this.silencesTopic = silencesTopic;
        this.actionsTopic = actionsTopic;
        this.clock = clock;
        this.timeout = timeout;
    }

    /**
     * Every silence on the topic (expired ones too), newest end first.
     *
     * @throws TimeoutException the topic could not be read to its end within the timeout
     */
    public List<Silence> read() throws TimeoutException {
        Silences silences = new Silences();
        Map<String, Object> props = new HashMap<>(kafka);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            Instant deadline = clock.instant().plus(timeout);
            List<TopicPartition> partitions = consumer.partitionsFor(silencesTopic, timeout).stream()
                    .map(info -> new TopicPartition(silencesTopic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
            while (partitions.stream().anyMatch(partition -> consumer.position(partition, timeout) < ends.get(partition))) {
                if (clock.instant().isAfter(deadline)) {
                    throw new TimeoutException("could not read " + silencesTopic + " to its end within " + timeout.toSeconds() + " s");
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    String id = record.key() == null ? "" : new String(record.key(), StandardCharsets.UTF_8);
                    try {
                        silences.accept(id, Topics.SILENCES.valueSerde().deserializer().deserialize(record.topic(), record.headers(),
                                record.value()));
                    } catch (RuntimeException e) {
                        // As the actuator does: an unreadable silence silences nothing.
                        silences.accept(id, null);
                    }
                }
            }
        }
        return silences.all();
    }

    /** Adds a silence in force from now for {@code duration}; its id is new and random. */
    public Silence add(Matchers matchers, Duration duration, String comment, String author, String principal) throws Exception {
        Instant now = clock.instant();
        Map<String, List<String>> values = new LinkedHashMap<>();
        matchers.values().forEach((label, allowed) -> values.put(label, new ArrayList<>(allowed)));
        Silence silence = Silence.newBuilder().setId(UUID.randomUUID().toString().substring(0, 8)).setMatchers(values)
                .setStartsAt(now).setEndsAt(now.plus(duration)).setCreatedBy(author).setComment(comment).setPrincipal(principal)
                .setUpdatedAt(now).build();
        write(silence, audit("silence-add", silence, author, principal, "silence " + silence.getId() + " added by " + author + " for "
                + Durations.format(duration) + " (until " + silence.getEndsAt() + "): " + matchers + ": " + comment));
        return silence;
    }

    /**
     * Ends silence {@code id} now. Empty when there is no such silence; an already expired one is left as it is.
     */
    public Optional<Silence> expire(String id, String who, String principal) throws Exception {
        Optional<Silence> found = read().stream().filter(silence -> silence.getId().equals(id)).findFirst();
        if (found.isEmpty()) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        if (!found.get().getEndsAt().isAfter(now)) {
            return found;
        }
        Silence expired = Silence.newBuilder(found.get()).setEndsAt(now).setExpiredBy(who).setUpdatedAt(now).build();
        write(expired, audit("silence-expire", expired, who, principal, "silence " + id + " expired by " + who + " (it was to end at "
                + found.get().getEndsAt() + ")"));
        return Optional.of(expired);
    }

    private ActionRecord audit(String name, Silence silence, String who, String principal, String detail) {
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("silence", silence.getId());
        attributes.put("by", who);
        attributes.put("principal", principal);
        attributes.put("matchers", Silences.matchers(silence).toString());
        attributes.put("startsAt", silence.getStartsAt().toString());
        attributes.put("endsAt", silence.getEndsAt().toString());
        attributes.put("comment", silence.getComment());
        Instant now = clock.instant();
        return ActionRecord.newBuilder().setActionId(name + "/" + silence.getId() + "@" + now.toEpochMilli()).setKind(ActionKind.OPERATOR)
                .setName(name).setStatus(ActionStatus.SUCCEEDED).setStartedAt(now).setFinishedAt(now).setDetail(detail)
                .setAttributes(attributes).build();
    }

    private void write(Silence silence, ActionRecord audit) throws Exception {
        Map<String, Object> props = new HashMap<>(kafka);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(),
                (topic, value) -> value)) {
            // The silence first: an audit record of a silence that was never written would be a lie.
            producer.send(new ProducerRecord<>(silencesTopic, silence.getId(),
                    Topics.SILENCES.valueSerde().serializer().serialize(silencesTopic, silence))).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            producer.send(new ProducerRecord<>(actionsTopic, "silence/" + silence.getId(),
                    Topics.ACTIONS.valueSerde().serializer().serialize(actionsTopic, audit))).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
    }
}
