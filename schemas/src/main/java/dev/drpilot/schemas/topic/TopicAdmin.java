package dev.drpilot.schemas.topic;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * Creates drpilot's topics at start-up, idempotently: a topic that already exists is success, not
 * an error, so every service can ensure the topics it uses whatever order they start in.
 * Retriable failures (broker not ready yet, timeouts) are retried with backoff; anything else
 * stops start-up with the topic and the reason.
 */
public final class TopicAdmin {
    private static final Logger log = LoggerFactory.getLogger(TopicAdmin.class);
    static final int MAX_ATTEMPTS = 5;

    public enum Outcome { CREATED, EXISTED, FAILED }

    /** What happened to each topic, with the reason for the failed ones. */
    public record Result(Map<String, Outcome> outcomes, Map<String, String> failures) {
        public Result {
            outcomes = Map.copyOf(outcomes);
            failures = Map.copyOf(failures);
        }

        public List<String> topics(Outcome outcome) {
            return outcomes.entrySet().stream().filter(e -> e.getValue() == outcome).map(Map.Entry::getKey).sorted().toList();
        }

        @Override
        public String toString() {
            return "created " + topics(Outcome.CREATED) + ", already there " + topics(Outcome.EXISTED)
                    + (failures.isEmpty() ? "" : ", failed " + failures);
        }
    }

    private TopicAdmin() {
    }

    /**
     * @param partitions        partitions of the keyed topics; 0 or less keeps each topic's default.
     *                          Single-partition topics (the dead-letter topic) keep one.
     * @param replicationFactor empty: the broker's default.replication.factor
     * @throws TopicCreationException when a topic could not be created, naming each and why
     */
    public static Result ensureTopics(Admin admin, Collection<Topic<?, ?>> topics, int partitions,
                                      Optional<Short> replicationFactor, Duration timeout) {
        Map<String, Outcome> outcomes = new LinkedHashMap<>();
        Map<String, String> failures = new LinkedHashMap<>();
        Map<String, NewTopic> pending = new LinkedHashMap<>();
        for (Topic<?, ?> topic : topics) {
            pending.put(topic.name(), newTopic(topic, partitions, replicationFactor));
        }
        long backoffMillis = 500;
        for (int attempt = 1; attempt <= MAX_ATTEMPTS && !pending.isEmpty(); attempt++) {
            if (attempt > 1) {
                log.warn("Creating topics {}: retry {} of {} in {} ms", pending.keySet(), attempt - 1, MAX_ATTEMPTS - 1, backoffMillis);
                pause(backoffMillis);
                backoffMillis *= 2;
            }
            Map<String, KafkaFuture<Void>> results = admin.createTopics(pending.values()).values();
            for (Map.Entry<String, KafkaFuture<Void>> result : results.entrySet()) {
                String name = result.getKey();
                Throwable error = outcomeOf(result.getValue(), timeout);
                if (error == null) {
                    outcomes.put(name, Outcome.CREATED);
                    pending.remove(name);
                } else if (error instanceof TopicExistsException) {
                    outcomes.put(name, Outcome.EXISTED);
                    pending.remove(name);
                } else if (error instanceof RetriableException || error instanceof TimeoutException) {
                    failures.put(name, error.toString());
                } else {
                    outcomes.put(name, Outcome.FAILED);
                    failures.put(name, error.toString());
                    pending.remove(name);
                }
            }
        }
        pending.keySet().forEach(name -> {
            outcomes.put(name, Outcome.FAILED);
            failures.compute(name, (k, reason) -> "not created after " + MAX_ATTEMPTS + " attempts: " + reason);
        });
        failures.keySet().retainAll(outcomes.entrySet().stream()
                .filter(e -> e.getValue() == Outcome.FAILED).map(Map.Entry::getKey).collect(Collectors.toSet()));
        Result result = new Result(outcomes, failures);
        if (!result.failures().isEmpty()) {
            throw new TopicCreationException(result);
        }
        return result;
    }

    static NewTopic newTopic(Topic<?, ?> topic, int partitions, Optional<Short> replicationFactor) {
        int count = partitions > 0 && topic.defaultPartitions() > 1 ? partitions : topic.defaultPartitions();
        return new NewTopic(topic.name(), Optional.of(count), replicationFactor).configs(topic.topicConfigs());
    }

    /** The failure of one topic's creation, or null when it succeeded. */
    private static Throwable outcomeOf(KafkaFuture<Void> future, Duration timeout) {
        try {
            future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            return e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TopicCreationException("interrupted while creating topics", e);
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis); // backoff between bounded retries, not a poll loop
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TopicCreationException("interrupted while creating topics", e);
        }
    }
}
