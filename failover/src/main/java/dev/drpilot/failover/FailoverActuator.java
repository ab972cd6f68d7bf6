package dev.drpilot.failover;

import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.failover.agent.NodeAgents;
import dev.drpilot.failover.agent.RejoinReplies;
import dev.drpilot.failover.steps.PostgresAdmin;
import dev.drpilot.runtime.StartedResources;
import dev.drpilot.runtime.Worker;
import dev.drpilot.schemas.topic.Topic;
import dev.drpilot.schemas.topic.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The failover service as one process runs it: consumes failover commands ({@link FailoverService})
 * and carries them out with the clusters' runbooks ({@link RunbookExecutor}), recording every step
 * on {@code drpilot.actions} ({@link AuditLog}) and honouring the operators' controls. Kubernetes and
 * AWS clients are made only when a runbook first needs them.
 */
public final class FailoverActuator implements AutoCloseable {
    /** The topics the failover service reads and writes. */
    public static final List<Topic<?, ?>> TOPICS = List.of(Topics.FAILOVER_COMMANDS, Topics.ACTIONS, Topics.FAILOVER_CONTROL,
            Topics.DEAD_LETTER, Topics.AGENT_LEASES, Topics.AGENT_COMMANDS, Topics.AGENT_REPLIES);

    private static final Duration DATABASE_TIMEOUT = Duration.ofSeconds(2);

    private final DrpilotConfig config;
    private final Map<String, Object> kafka;
    private final Clock clock;
    private final StartedResources started = new StartedResources("failover service");
    private final List<Worker> workers = new ArrayList<>();
    private DeadLetters deadLetters;

    public FailoverActuator(DrpilotConfig config, Map<String, Object> kafkaClientProperties, Clock clock) {
        this.config = config;
        this.kafka = Map.copyOf(kafkaClientProperties);
        this.clock = clock;
    }

    public synchronized FailoverActuator start() {
        try {
            Map<String, Object> producer = new HashMap<>(kafka);
            producer.put(ProducerConfig.ACKS_CONFIG, "all");
            producer.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            AuditLog audit = new AuditLog(new KafkaProducer<>(producer, new StringSerializer(), Topics.ACTIONS.valueSerde().serializer()), kafka);
            started.add(audit);
            deadLetters = DeadLetters.open(kafka, audit, clock);
            started.add(deadLetters);
            LazyCloudClients cloud = new LazyCloudClients();
            NodeAgents agents = NodeAgents.connect(kafka, clock);
            started.add(agents);
            workers.addAll(agents.workers());
            started.add(cloud);
            RunbookExecutor executor = new RunbookExecutor(audit, new StepFactory(new PostgresAdmin(DATABASE_TIMEOUT), clock, Optional.of(cloud),
                    Optional.of(agents)), clock, Optional.of(new OperatorControls(kafka, deadLetters)))
                    .withMaintenance(config.maintenance());
            RejoinReplies replies = new RejoinReplies(kafka, audit, deadLetters, config.clusters().keySet(), clock).start();
            started.add(replies);
            workers.add(replies.worker());
            FailoverService service = new FailoverService(config, kafka, FailoverService.GROUP, audit, executor, deadLetters, clock).start();
            started.add(service);
            workers.add(service.worker());
            return this;
        } catch (RuntimeException e) {
            try {
                close();
            } catch (RuntimeException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    /** Its worker threads, once started, for the health endpoint. */
    public synchronized List<Worker> workers() {
        return List.copyOf(workers);
    }

    /** Unreadable commands and operators' instructions this process sent to the dead-letter topic since it started. */
    public synchronized long deadLettered() {
        return deadLetters == null ? 0 : deadLetters.count();
    }

    /** Stops after the step under way (a runbook cut short is resumed by the next start), then closes the clients. */
    @Override
    public synchronized void close() {
        started.close();
    }
}
