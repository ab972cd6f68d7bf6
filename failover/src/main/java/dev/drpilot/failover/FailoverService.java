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
import org.apache.kafka.clients.consumer.KafkaConsumer;
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

/**
 * The failover actuator: consumes {@code drpilot.failover.commands} (its own consumer group,
 * read_committed, one command at a time) and carries each out with the {@link RunbookExecutor}.
 * The command's offset is committed only once its runbook has ended and the end is recorded: an
 * actuator that dies mid-runbook gets the command again and resumes from its records. A record that is no
 * command it can read goes to {@link DeadLetters} (dead-lettered, counted, paged) and the next one is served.
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

    private final DrpilotConfig config;
    private final RunbookExecutor executor;
    private final AuditLog audit;
    private final Clock clock;
    private final String groupId;
    private final DeadLetters deadLetters;
    private final Deserializer<FailoverCommand> commands = Topics.FAILOVER_COMMANDS.valueSerde().deserializer();
    private final ConsumerLoop<byte[], byte[]> loop;

    public FailoverService(DrpilotConfig config, Map<String, Object> kafkaClientProperties, String groupId, AuditLog audit,
                           RunbookExecutor executor, DeadLetters deadLetters, Clock clock) {
        this.config = config;
        this.audit = audit;
        this.executor = executor;
        this.deadLetters = deadLetters;
        this.clock = clock;
        Map<String, Object> props = new HashMap<>(kafkaClientProperties);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
        // A runbook may take minutes (step timeouts add up); the group must not evict us meanwhile.
        props.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) Duration.ofMinutes(30).toMillis());
        // Bytes, read by the handler: a record that cannot be read is dead-lettered there, where a failure of poll() could only stop the loop.
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.loop = ConsumerLoop.builder("failover-actuator", consumer)
                .subscribe(List.of(Topics.FAILOVER_COMMANDS.name()), CommitPolicy.AFTER_EACH_RECORD)
                .handler(this::handle)
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

    /** Done (committed) once the runbook ended; a runbook stopped between steps is left uncommitted for the next start. */
    private Outcome handle(ConsumerRecord<byte[], byte[]> record, Attempt attempt) throws AuditLog.AuditException {
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
            if (carryOut(command) == RunbookExecutor.Outcome.DEFERRED) {
                Duration wait = DEFERRED_RETRY.before(attempt.number());
                log.warn("[incident={} cluster={}] refused for now; tried again in {} s", command.getIncidentId(), command.getCluster(),
                        wait.toSeconds());
                return Outcome.retryAt(clock.instant().plus(wait));
            }
            return Outcome.done();
        } catch (RunbookExecutor.Stopped e) {
            return Outcome.notDone();   // the next start gets the command again and resumes it
        }
    }

    private RunbookExecutor.Outcome carryOut(FailoverCommand command) throws AuditLog.AuditException, RunbookExecutor.Stopped {
        ClusterConfig cluster = config.clusters().get(command.getCluster());
        if (cluster == null) {
            audit.write(ActionRecord.newBuilder().setActionId(command.getIncidentId() + "/summary").setKind(ActionKind.FAILOVER_REFUSED)
                    .setName("summary").setStatus(ActionStatus.REFUSED).setIncidentId(command.getIncidentId()).setCluster(command.getCluster())
                    .setStartedAt(clock.instant()).setFinishedAt(clock.instant())
                    .setDetail("no cluster named " + command.getCluster() + " in the actuator's configuration").build());
            return RunbookExecutor.Outcome.REFUSED;
        }
        Runbook runbook = config.runbooks().get(cluster.failover().runbook());
        return executor.execute(command, cluster, runbook, this::stopping);
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

    /** True once {@link #close()} was called: the runbook under way stops before its next step. */
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
