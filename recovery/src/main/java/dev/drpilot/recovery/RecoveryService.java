package dev.drpilot.recovery;

import dev.drpilot.config.BackupSource;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.config.Schedule;
import dev.drpilot.events.RestoreCheck;
import dev.drpilot.runtime.Worker;
import dev.drpilot.schemas.topic.Topic;
import dev.drpilot.schemas.topic.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code drpilot recovery}: runs each component's restore check on its schedule and publishes the
 * outcome. One thread: restores on one host run one at a time (the host lock also keeps out a
 * {@code drpilot restore-check} by hand). A check that cannot be published is logged and retried at
 * the next scheduled run; the restore-check rule's {@code maxAge} pages when none arrives.
 */
public final class RecoveryService implements AutoCloseable, Worker {
    public static final List<Topic<?, ?>> TOPICS = List.of(Topics.RESTORE_CHECKS);
    private static final Logger LOG = LoggerFactory.getLogger(RecoveryService.class);

    private final DrpilotConfig config;
    private final RestoreCheckRunner runner;
    private final Producer<String, RestoreCheck> producer;
    private final RestoreCheckPublisher publisher;
    private final Schedules schedules;

    public RecoveryService(DrpilotConfig config, Map<String, Object> kafkaClientProperties, Clock clock, String host) {
        this(config, new RestoreCheckRunner(config, host), new KafkaProducer<>(producerProperties(kafkaClientProperties, host),
                Topics.RESTORE_CHECKS.keySerde().serializer(), Topics.RESTORE_CHECKS.valueSerde().serializer()), clock);
    }

    RecoveryService(DrpilotConfig config, RestoreCheckRunner runner, Producer<String, RestoreCheck> producer, Clock clock) {
        this.config = config;
        this.runner = runner;
        this.producer = producer;
        this.publisher = new RestoreCheckPublisher(producer, Duration.ofMinutes(2));
        // Beside the host lock: the same host's restore checks, remembered across restarts so that a missed one runs at start.
        this.schedules = new Schedules("drpilot-recovery", clock, new RunLogFile(runner.lockFile().resolveSibling("drpilot-restore-check-runs.properties")));
    }

    static Map<String, Object> producerProperties(Map<String, Object> base, String host) {
        Map<String, Object> props = new HashMap<>(base);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "drpilot-recovery-" + host);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        return props;
    }

    public RecoveryService start() {
        for (BackupSource backup : config.backups()) {
            backup.restoreCheck().flatMap(check -> check.schedule()).ifPresent(schedule -> scheduleNext(backup.component(), schedule));
        }
        if (RestoreCheckRunner.components(config).stream().noneMatch(this::scheduled)) {
            LOG.warn("no restore check has a schedule (backups[].restoreCheck.schedule): the recovery service has nothing to run");
        }
        return this;
    }

    private boolean scheduled(String component) {
        return config.backups().stream().anyMatch(backup -> backup.component().equals(component)
                && backup.restoreCheck().flatMap(check -> check.schedule()).isPresent());
    }

    private void scheduleNext(String component, Schedule schedule) {
        schedules.add("restore check of " + component, schedule, () -> runAndPublish(component));
    }

    private void runAndPublish(String component) {
        RestoreCheck check = runner.run(component, runner.defaultTarget(component));
        LOG.info("restore check of {}: {} in {} ms{}", component, check.getSucceeded() ? "succeeded" : "FAILED", check.getDurationMillis(),
                check.getError() == null ? "" : ": " + check.getError());
        // A check that cannot be published fails the run (Schedules logs it); the rule's maxAge pages if none arrives.
        publisher.publish(check);
    }

    @Override
    public String name() {
        return "drpilot-recovery";
    }

    @Override
    public boolean alive() {
        return schedules.running();
    }

    @Override
    public Optional<Throwable> failure() {
        // A failed check is an outcome, published; only stopping ends the service.
        return Optional.empty();
    }

    @Override
    public void close() {
        // A restore in progress is interrupted: its commands are killed and its scratch directory removed.
        schedules.close(Duration.ofSeconds(90));
        producer.close(Duration.ofSeconds(10));
    }
}
