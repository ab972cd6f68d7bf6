package dev.drpilot.agent.command;

import dev.drpilot.events.AgentCommand;
import dev.drpilot.events.AgentCommandKind;
import dev.drpilot.events.AgentReply;
import dev.drpilot.runtime.Backoff;
import dev.drpilot.runtime.Worker;
import dev.drpilot.schemas.topic.AccessPolicy;
import dev.drpilot.schemas.topic.Topics;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads the commands addressed to this agent's node from {@code drpilot.agent.commands} through its own consumer group
 * ({@code drpilot-agent-<cluster>-<node>}: a command sent while the agent was down waits for it) and hands each to the
 * handler of its kind, on a thread of that kind, then sends the handler's answer to {@code drpilot.agent.replies}.
 *
 * <p>What it refuses to act on: a command for another node (the key says whose it is, the record must agree), one past its
 * {@code expiresAt}, one whose id it has already carried out since it started, and one of a kind it has no handler for
 * (replied REFUSED). An unreadable record is logged and counted (the agent may not write the dead-letter topic) and shows
 * as trouble on the health endpoint; it never stops the loop. The offset is committed once a command has been handed
 * over: a command is acted on at most once per agent, and an agent killed in the middle of one does not start it again
 * (a fence is idempotent and the actuator asks again; a rejoin is started again by an operator or the policy).
 */
public final class CommandLoop implements Worker, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CommandLoop.class);
    private static final Duration POLL = Duration.ofMillis(200);
    /** Between attempts while Kafka cannot be read: soon after a blip, no tighter than every 5 s during an outage. */
    private static final Backoff RETRY = Backoff.exponential(POLL, Duration.ofSeconds(5));
    private static final int REMEMBERED_IDS = 1024;

    private final String cluster;
    private final String node;
    private final String agentId;
    private final Consumer<String, byte[]> consumer;
    private final Producer<String, byte[]> producer;
    private final Map<AgentCommandKind, CommandHandler> handlers;
    private final Map<AgentCommandKind, ExecutorService> lanes = new EnumMap<>(AgentCommandKind.class);
    private final Clock wallClock;
    private final Set<String> seen = new LinkedHashSet<>();
    private final AtomicLong unreadable = new AtomicLong();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Throwable failure;
    private volatile String trouble;

    /**
     * @param producer the agent's acks=all producer (replies are sent with it; closed by its owner)
     * @param handlers what this agent carries out, by kind; a kind without a handler is refused
     */
    public CommandLoop(String cluster, String node, String agentId, Consumer<String, byte[]> consumer, Producer<String, byte[]> producer,
                       Map<AgentCommandKind, CommandHandler> handlers, Clock wallClock) {
        this.cluster = cluster;
        this.node = node;
        this.agentId = agentId;
        this.consumer = consumer;
        this.producer = producer;
        this.handlers = Map.copyOf(handlers);
        this.wallClock = wallClock;
        for (AgentCommandKind kind : handlers.keySet()) {
            lanes.put(kind, Executors.newSingleThreadExecutor(runnable -> {
                Thread lane = new Thread(runnable, "agent-command-" + kind.name().toLowerCase(Locale.ROOT));
                lane.setDaemon(true);
                return lane;
            }));
        }
        this.thread = new Thread(this::run, "agent-commands");
        this.thread.setDaemon(true);
    }

    /** The consumer an agent reads its commands with: its own group, from the earliest offset the first time. */
    public static Consumer<String, byte[]> consumer(Map<String, Object> kafkaClientProperties, String cluster, String node, String clientId) {
        Map<String, Object> props = new HashMap<>(kafkaClientProperties);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId(cluster, node));
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId + "-commands");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // The first start of an agent sees the week of commands the topic keeps; expiresAt keeps the stale ones from acting.
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    }

    public static String groupId(String cluster, String node) {
        return AccessPolicy.AGENT_GROUP_PREFIX + cluster + "-" + node;
    }

    public CommandLoop start() {
        consumer.subscribe(List.of(Topics.AGENT_COMMANDS.name()));
        thread.start();
        return this;
    }

    private void run() {
        try {
            int failures = 0;
            while (running) {
                try {
                    for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                        accept(record);
                    }
                    consumer.commitSync();
                    failures = 0;
                    trouble = unreadable.get() == 0 ? null : unreadable.get() + " unreadable command record(s) skipped (see the log)";
                } catch (WakeupException e) {
                    return;
                } catch (RuntimeException e) {
                    // Kafka unreachable, a commit that failed: the next poll tries again; a command not yet committed is
                    // read again and recognised by its id.
                    // Never given up: the agent's commands are how a fence reaches this node.
                    failures++;
                    Duration pause = RETRY.before(failures);
                    trouble = "reading commands failed " + failures + " time(s) in a row: " + e;
                    log.warn("agent commands of {}/{}: {} (retry {}, unbounded, in {} ms)", cluster, node, e.toString(), failures,
                            pause.toMillis());
                    if (!pause(pause)) {
                        return;
                    }
                }
            }
        } catch (Error e) {
            failure = e;
            log.error("agent-commands died: {}", e.toString(), e);
            throw e;
        }
    }

    void accept(ConsumerRecord<String, byte[]> record) {
        if (!Topics.agentKey(cluster, node).equals(record.key())) {
            return;   // another node's command on the same partition
        }
        AgentCommand command;
        try {
            command = Topics.AGENT_COMMANDS.valueSerde().deserializer().deserialize(record.topic(), record.value());
        } catch (RuntimeException e) {
            unreadable.incrementAndGet();
            log.error("agent commands of {}/{}: skipped an unreadable record at {}-{}@{}: {}", cluster, node, record.topic(),
                    record.partition(), record.offset(), e.toString());
            return;
        }
        if (!cluster.equals(command.getCluster()) || !node.equals(command.getNode())) {
            unreadable.incrementAndGet();
            log.error("agent commands of {}/{}: skipped command {} keyed for this node but addressed to {}/{}", cluster, node,
                    command.getCommandId(), command.getCluster(), command.getNode());
            return;
        }
        if (!seen.add(command.getCommandId())) {
            log.info("agent command {} ({}) already handled: ignored", command.getCommandId(), command.getKind());
            return;
        }
        if (seen.size() > REMEMBERED_IDS) {
            seen.remove(seen.iterator().next());
        }
        Instant now = wallClock.instant();
        if (now.isAfter(command.getExpiresAt())) {
            log.warn("agent command {} ({}) expired at {} (now {}): not acted on", command.getCommandId(), command.getKind(),
                    command.getExpiresAt(), now);
            return;
        }
        CommandHandler handler = handlers.get(command.getKind());
        if (handler == null) {
            reply(command, CommandHandler.Reply.refused("this agent does not carry out " + command.getKind() + " commands"));
            return;
        }
        log.info("agent command {}: {} ({}) from {}", command.getCommandId(), command.getKind(), command.getReason(), command.getIssuedBy());
        lanes.get(command.getKind()).execute(() -> {
            CommandHandler.Reply answer;
            try {
                answer = handler.handle(command);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                answer = CommandHandler.Reply.failed("interrupted: the agent is stopping", Map.of());
            } catch (Exception e) {
                log.error("agent command {} ({}) failed: {}", command.getCommandId(), command.getKind(), e.toString(), e);
                answer = CommandHandler.Reply.failed(String.valueOf(e.getMessage()), Map.of("error", e.getClass().getSimpleName()));
            }
            reply(command, answer);
        });
    }

    private void reply(AgentCommand command, CommandHandler.Reply answer) {
        AgentReply reply = AgentReply.newBuilder().setCommandId(command.getCommandId()).setCluster(cluster).setNode(node)
                .setAgentId(agentId).setKind(command.getKind()).setOutcome(answer.outcome()).setDetail(answer.detail())
                .setRepliedAt(wallClock.instant()).setAttributes(answer.attributes()).build();
        byte[] value = Topics.AGENT_REPLIES.valueSerde().serializer().serialize(Topics.AGENT_REPLIES.name(), reply);
        log.info("agent command {} ({}): {} — {}", command.getCommandId(), command.getKind(), answer.outcome(), answer.detail());
        producer.send(new ProducerRecord<>(Topics.AGENT_REPLIES.name(), Topics.agentKey(cluster, node), value), (metadata, e) -> {
            if (e != null) {
                log.error("could not send the reply to agent command {}: {}", command.getCommandId(), e.toString());
            }
        });
    }

    /** Unreadable or misaddressed command records skipped since the start. */
    public long unreadable() {
        return unreadable.get();
    }

    /** @return false when interrupted: the loop is being stopped */
    private static boolean pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public String name() {
        return "agent-commands";
    }

    @Override
    public boolean alive() {
        return thread.isAlive();
    }

    @Override
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }

    @Override
    public Optional<String> trouble() {
        return Optional.ofNullable(trouble);
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        lanes.values().forEach(ExecutorService::shutdownNow);
        consumer.close(Duration.ofSeconds(5));
    }
}
