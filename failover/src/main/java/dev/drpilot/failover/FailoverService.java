package dev.drpilot.failover;

import dev.drpilot.config.ClusterConfig;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.config.Runbook;
import dev.drpilot.events.ActionKind;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.ActionStatus;
import dev.drpilot.events.FailoverCommand;
import dev.drpilot.runtime.Attempt;
import dev.drpilot.runtime.Backoff;
import dev.drpilot.runtime.CommitPolicy;
import dev.drpilot.runtime.ConsumerLoop;
import dev.drpilot.runtime.ErrorPolicy;
import dev.drpilot.runtime.Outcome;
import dev.drpilot.runtime.Worker;
import dev.drpilot.schemas.topic.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * The failover actuator: consumes {@code drpilot.failover.commands} (its own consumer group,
 * read_committed) and carries each command out with the {@link RunbookExecutor}: one cluster's commands one at a time
 * and in order, different clusters' side by side (a cluster's own thread: the loop's keyed mode), so that a failover
 * waiting for an operator's approval holds up no other cluster's. Each runbook's records go through the cluster's
 * {@link ClusterRecorder}, opened for the command: it fences any other actuator still running that cluster's runbook.
 * A command's offset is committed only once its runbook has ended and the end is recorded, and no command behind it in
 * its partition is committed before it: an actuator that dies mid-runbook — or loses the partition — leaves the command
 * to the partition's next owner, which resumes from the records. A record that is no command it can read goes to
 * {@link DeadLetters} (dead-lettered, counted, paged) and the next one is served.
 */
public final class FailoverService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FailoverService.class);
    public static final String GROUP = "drpilot-failover";
    // Kafka trouble — a record that cannot be written, a read that cannot finish, a poll or a commit that failed (a
    // rebalance, CommitFailedException) — is tried again for as long as it takes, the command handed again and the runbook
    // resuming from its records. Any other error is a bug: it stops the loop, failure() says why, and /healthz turns 503
    // so that the process is restarted rather than left running without failover.
    private static final ErrorPolicy ERRORS = ErrorPolicy.retry(ErrorPolicy.UNLIMITED,
            Backoff.exponential(Duration.ofSeconds(2), Duration.ofSeconds(30)),
            error -> error instanceof AuditLog.AuditException || error instanceof KafkaException);

    // A command refused for now (the pauses or the history could not be read) is tried again, sooner at first.
    private static final Backoff DEFERRED_RETRY = Backoff.exponential(Duration.ofSeconds(5), Duration.ofMinutes(1));
    // A command whose cluster another actuator took over is its; should this one still own the partition after this
    // long (the other was a zombie, or is outside the group), it takes the cluster back and resumes from the records.
    private static final Duration AFTER_FENCED = Duration.ofSeconds(10);
    // How many commands of one partition may be under way (waiting for an approval, say) before the partition is paused.
    private static final int MAX_IN_FLIGHT = 100;

    private final DrpilotConfig config;
    private final RunbookExecutor executor;
    private final AuditLog audit;
    private final Clock clock;
    private final String groupId;
    private final DeadLetters deadLetters;
    private final Map<String, Object> kafka;
    private final Deserializer<FailoverCommand> commands = Topics.FAILOVER_COMMANDS.valueSerde().deserializer();
    private final ConsumerLoop<byte[], byte[]> loop;

    public FailoverService(DrpilotConfig config, Map<String, Object> kafkaClientProperties, String groupId, AuditLog audit,
                           RunbookExecutor executor, DeadLetters deadLetters, Clock clock) {
        this.config = config;
        this.audit = audit;
        this.executor = executor;
        this.deadLetters = deadLetters;
        this.clock = clock;
        this.kafka = Map.copyOf(kafkaClientProperties);
        Map<String, Object> props = new HashMap<>(kafkaClientProperties);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // Runbooks run on the clusters' threads and the loop's thread keeps polling: Kafka's default max.poll.interval
        // (5 min) holds. Cooperative rebalancing takes a partition from a member only when it moves to another, so a
        // second actuator joining does not interrupt every runbook under way (Range is listed for a rolling upgrade).
        props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
                List.of(CooperativeStickyAssignor.class.getName(), RangeAssignor.class.getName()));
        // Bytes, read by the handler: a record that cannot be read is dead-lettered there, where a failure of poll() could only stop the loop.
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.loop = ConsumerLoop.builder("failover-actuator", consumer)
                .subscribe(List.of(Topics.FAILOVER_COMMANDS.name()), CommitPolicy.AFTER_EACH_RECORD)
                .handlerPerKey(this::cluster, this::handle)
                .maxInFlightPerPartition(MAX_IN_FLIGHT)
                .errors(ERRORS)
                .whenDead("failover commands are NOT carried out")
                // A runbook step under way finishes before the loop ends: close() waits for it.
                .closeTimeout(Duration.ofSeconds(90))
                .consumerCloseTimeout(Duration.ofSeconds(10))
                .daemon(false)
                .clock(clock)
                .build();
        this.groupId = groupId;
    }

    public FailoverService start() {
        loop.start();
        // The consumer belongs to the loop's thread from here on: log what we know, do not ask it.
        log.info("failover actuator started (group {})", groupId);
        return this;
    }

    /**
     * Which cluster's thread handles the record: the command's cluster, so that one cluster's commands never run at the same
     * time whatever their keys; for a record that is no command, its key.
     */
    private String cluster(ConsumerRecord<byte[], byte[]> record) {
        try {
            FailoverCommand command = commands.deserialize(record.topic(), record.headers(), record.value());
            if (command != null) {
                return command.getCluster();
            }
        } catch (RuntimeException e) {
            log.debug("unreadable command {}-{}@{}, dead-lettered on its key's thread: {}", record.topic(), record.partition(), record.offset(),
                    e.toString());
        }
        return record.key() == null ? "" : new String(record.key(), StandardCharsets.UTF_8);
    }

    /**
     * Done (committed) once the runbook ended; a runbook stopped between steps (closing, or the partition taken away) is left
     * uncommitted for the partition's next owner.
     */
    private Outcome handle(ConsumerRecord<byte[], byte[]> record, Attempt attempt, BooleanSupplier stopping) throws AuditLog.AuditException {
        FailoverCommand command;
        try {
            command = commands.deserialize(record.topic(), record.headers(), record.value());
        } catch (RuntimeException e) {
            deadLetters.send(record, groupId, e, namedCluster(record.key()));
            return Outcome.done();
        }
        if (command == null) {
            return Outcome.done();
        }
        try {
            if (carryOut(command, stopping) == RunbookExecutor.Outcome.DEFERRED) {
                Duration wait = DEFERRED_RETRY.before(attempt.number());
                log.warn("[incident={} cluster={}] refused for now; tried again in {} s", command.getIncidentId(), command.getCluster(),
                        wait.toSeconds());
                return Outcome.retryAt(clock.instant().plus(wait));
            }
            return Outcome.done();
        } catch (RunbookExecutor.Stopped e) {
            return Outcome.notDone();   // the next start gets the command again and resumes it
        } catch (FencedException e) {
            log.warn("[incident={} cluster={}] fenced: {}. This actuator stopped the runbook here, acting no further; the actuator that"
                            + " took the cluster over resumes it from the records (looked at again here in {} s, should this one still own"
                            + " the command's partition then)", command.getIncidentId(), command.getCluster(), e.getMessage(),
                    AFTER_FENCED.toSeconds());
            return Outcome.retryAt(clock.instant().plus(AFTER_FENCED));
        }
    }

    private RunbookExecutor.Outcome carryOut(FailoverCommand command, BooleanSupplier stopping)
            throws AuditLog.AuditException, RunbookExecutor.Stopped {
        ClusterConfig cluster = config.clusters().get(command.getCluster());
        if (cluster == null) {
            audit.write(ActionRecord.newBuilder().setActionId(command.getIncidentId() + "/summary").setKind(ActionKind.FAILOVER_REFUSED)
                    .setName("summary").setStatus(ActionStatus.REFUSED).setIncidentId(command.getIncidentId()).setCluster(command.getCluster())
                    .setStartedAt(clock.instant()).setFinishedAt(clock.instant())
                    .setDetail("no cluster named " + command.getCluster() + " in the actuator's configuration").build());
            return RunbookExecutor.Outcome.REFUSED;
        }
        Runbook runbook = config.runbooks().get(cluster.failover().runbook());
        // Opened before the history is read: whatever an actuator that ran this cluster before us recorded is then
        // committed (or aborted), and it can record nothing more.
        try (ClusterRecorder records = ClusterRecorder.open(kafka, cluster.name())) {
            return executor.recordingWith(records).execute(command, cluster, runbook, stopping);
        }
    }

    /** Commands are keyed by cluster: the key of an unreadable one still says whose failover was lost, when it names a cluster. */
    private Optional<String> namedCluster(byte[] key) {
        return Optional.ofNullable(key).map(bytes -> new String(bytes, StandardCharsets.UTF_8)).filter(config.clusters()::containsKey);
    }

    /** False once the loop died (or was closed): failover commands are no longer carried out. */
    public boolean alive() {
        return loop.alive();
    }

    /** Its consumer loop, for the health endpoint. */
    public Worker worker() {
        return loop;
    }

    /** True once {@link #close()} was called: the runbooks under way stop before their next step. */
    public boolean stopping() {
        return loop.closing();
    }

    /** Stops after the step under way: a runbook cut short is resumed by the next start. */
    @Override
    public void close() {
        try {
            loop.close();
        } catch (IllegalStateException e) {
            log.warn("failover actuator did not stop within 90 s");
        }
    }
}
