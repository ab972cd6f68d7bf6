package dev.drpilot.failover;

import dev.drpilot.config.ClusterConfig;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.config.Runbook;
import dev.drpilot.events.ActionKind;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.ActionStatus;
import dev.drpilot.events.FailoverCommand;
import dev.drpilot.schemas.topic.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The failover actuator: consumes {@code drpilot.failover.commands} (its own consumer group,
 * read_committed, one command at a time) and carries each out with the {@link RunbookExecutor}.
 * The command's offset is committed only once its runbook has ended and the end is recorded: an
 * actuator that dies mid-runbook gets the command again and resumes from its records.
 */
public final class FailoverService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FailoverService.class);
    public static final String GROUP = "drpilot-failover";
    private static final int MAX_BACKOFF_SECONDS = 30;

    private final DrpilotConfig config;
    private final RunbookExecutor executor;
    private final AuditLog audit;
    private final KafkaConsumer<String, FailoverCommand> consumer;
    private final Clock clock;
    private final Thread thread;
    private final String groupId;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;

    public FailoverService(DrpilotConfig config, Map<String, Object> kafkaClientProperties, String groupId, AuditLog audit,
                           RunbookExecutor executor, Clock clock) {
        this.config = config;
        this.audit = audit;
        this.executor = executor;
        this.clock = clock;
        Map<String, Object> props = new HashMap<>(kafkaClientProperties);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
        // A runbook may take minutes (step timeouts add up); the group must not evict us meanwhile.
        props.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) Duration.ofMinutes(30).toMillis());
        this.consumer = new KafkaConsumer<>(props, Topics.FAILOVER_COMMANDS.keySerde().deserializer(),
                Topics.FAILOVER_COMMANDS.valueSerde().deserializer());
        this.thread = new Thread(this::loop, "failover-actuator");
        this.groupId = groupId;
    }

    public FailoverService start() {
        consumer.subscribe(java.util.List.of(Topics.FAILOVER_COMMANDS.name()));
        thread.start();
        // The consumer belongs to the loop's thread from here on: log what we know, do not ask it.
        log.info("failover actuator started (group {})", groupId);
        return this;
    }

    private void loop() {
        try {
            while (running) {
                for (ConsumerRecord<String, FailoverCommand> record : consumer.poll(Duration.ofMillis(500))) {
                    if (!running) {
                        break;
                    }
                    handle(record);
                }
            }
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        } finally {
            consumer.close(Duration.ofSeconds(10));
            stopped.countDown();
        }
    }

    /** Carries the command out, retrying while its records cannot be written; commits its offset once it ended. */
    private void handle(ConsumerRecord<String, FailoverCommand> record) {
        FailoverCommand command = record.value();
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        for (int attempt = 1; running; attempt++) {
            try {
                if (command != null) {
                    carryOut(command);
                }
                consumer.commitSync(Map.of(partition, new OffsetAndMetadata(record.offset() + 1)));
                return;
            } catch (RunbookExecutor.Stopped e) {
                return;   // not committed: the next start gets the command again and resumes it
            } catch (AuditLog.AuditException e) {
                long backoff = Math.min(MAX_BACKOFF_SECONDS, 1L << Math.min(attempt, 5));
                log.warn("[incident={}] the failover's record could not be written, retry {} in {} s (the runbook resumes from its records): {}",
                        command.getIncidentId(), attempt, backoff, e.getMessage());
                sleep(backoff);
            }
        }
    }

    private void carryOut(FailoverCommand command) throws AuditLog.AuditException, RunbookExecutor.Stopped {
        ClusterConfig cluster = config.clusters().get(command.getCluster());
        if (cluster == null) {
            audit.write(ActionRecord.newBuilder().setActionId(command.getIncidentId() + "/summary").setKind(ActionKind.FAILOVER_REFUSED)
                    .setName("summary").setStatus(ActionStatus.REFUSED).setIncidentId(command.getIncidentId()).setCluster(command.getCluster())
                    .setStartedAt(clock.instant()).setFinishedAt(clock.instant())
                    .setDetail("no cluster named " + command.getCluster() + " in the actuator's configuration").build());
            return;
        }
        Runbook runbook = config.runbooks().get(cluster.failover().runbook());
        executor.execute(command, cluster, runbook, () -> !running);
    }

    private void sleep(long seconds) {
        try {
            stopped.await(seconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** True once {@link #close()} was called: the runbook under way stops before its next step. */
    public boolean stopping() {
        return !running;
    }

    /** Stops after the step under way: a runbook cut short is resumed by the next start. */
    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            if (!stopped.await(90, TimeUnit.SECONDS)) {
                log.warn("failover actuator did not stop within 90 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
