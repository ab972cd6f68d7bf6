package dev.drpilot.failover.agent;

import dev.drpilot.events.AgentCommand;
import dev.drpilot.events.AgentReply;
import dev.drpilot.runtime.Worker;
import dev.drpilot.schemas.topic.Topics;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The failover actuator's side of talking to node agents: sends an {@link AgentCommand} (acks=all) and waits for the
 * {@link AgentReply} that names it. The replies are read from the end offsets captured <em>before</em> the send, so a reply
 * cannot be missed however fast the agent answers, and an older reply cannot be taken for this one (the id must match).
 * No reply within the timeout is an answer too — {@link Optional#empty()}: the agent is down, cut off, or too slow, and
 * the caller decides what that proves (usually nothing: it falls back to the lease).
 */
public final class AgentChannel implements AutoCloseable {
    private static final Duration POLL = Duration.ofMillis(100);

    private final Producer<String, byte[]> producer;
    private final Supplier<Consumer<byte[], byte[]>> consumers;
    private final Optional<ReplyTail> tail;

    /**
     * A channel whose every request reads the replies with a consumer of its own.
     *
     * @param producer  an acks=all producer, owned by the caller
     * @param consumers makes a consumer (no group, read_committed) for one request; closed after it
     */
    public AgentChannel(Producer<String, byte[]> producer, Supplier<Consumer<byte[], byte[]>> consumers) {
        this(producer, consumers, Optional.empty());
    }

    private AgentChannel(Producer<String, byte[]> producer, Supplier<Consumer<byte[], byte[]>> consumers, Optional<ReplyTail> tail) {
        this.producer = producer;
        this.consumers = consumers;
        this.tail = tail;
    }

    /**
     * A channel that tails the replies with one consumer of {@code consumers} for its whole life (closed with it) and reads
     * by request only while that tail is not positioned yet or has stopped.
     */
    public static AgentChannel tailing(Producer<String, byte[]> producer, Supplier<Consumer<byte[], byte[]>> consumers) {
        return new AgentChannel(producer, consumers, Optional.of(new ReplyTail(consumers.get()).start()));
    }

    /** Its reply tail, for the health endpoint; empty for a channel that reads every reply by request. */
    public Optional<Worker> tailWorker() {
        return tail.map(ReplyTail::worker);
    }

    /** Whether requests are answered through the tail now (for tests and the start-up log). */
    boolean tailed() {
        return tail.map(ReplyTail::positioned).orElse(false);
    }

    /** A command could not be sent, or the replies could not be read: nothing is known about the agent's answer. */
    public static final class ChannelException extends Exception {
        public ChannelException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Sends {@code command} and waits up to {@code timeout} (the send included) for its reply.
     *
     * @return the reply, or empty when none came in time
     */
    public Optional<AgentReply> request(AgentCommand command, Duration timeout) throws ChannelException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String id = command.getCommandId();
        Optional<CompletableFuture<AgentReply>> tailed = tail.flatMap(replies -> replies.await(id));
        if (tailed.isPresent()) {
            try {
                send(command, remaining(deadline));
                return Optional.of(tailed.get().get(remaining(deadline).toNanos(), TimeUnit.NANOSECONDS));
            } catch (TimeoutException e) {
                return Optional.empty();
            } catch (ExecutionException e) {
                // The tail stopped while this reply was awaited: it may have come and gone unseen. No reply proves nothing.
                return Optional.empty();
            } finally {
                tail.get().forget(id);
            }
        }
        try (Consumer<byte[], byte[]> consumer = consumers.get()) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.AGENT_REPLIES.name(), timeout).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
            if (partitions.isEmpty()) {
                throw new ChannelException(Topics.AGENT_REPLIES.name() + " has no partitions (does the topic exist?)", null);
            }
            consumer.assign(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
            ends.forEach(consumer::seek);
            send(command, remaining(deadline));
            while (remaining(deadline).toNanos() > 0) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                    Optional<AgentReply> reply = decode(record);
                    if (reply.isPresent() && reply.get().getCommandId().equals(command.getCommandId())) {
                        return reply;
                    }
                }
            }
            return Optional.empty();
        } catch (KafkaException e) {
            throw new ChannelException("could not read " + Topics.AGENT_REPLIES.name() + ": " + e, e);
        }
    }

    /** Sends {@code command} and waits for Kafka's acknowledgement only (for commands nobody waits on: a rejoin). */
    public void send(AgentCommand command, Duration timeout) throws ChannelException, InterruptedException {
        byte[] value = Topics.AGENT_COMMANDS.valueSerde().serializer().serialize(Topics.AGENT_COMMANDS.name(), command);
        try {
            producer.send(new ProducerRecord<>(Topics.AGENT_COMMANDS.name(), Topics.agentKey(command.getCluster(), command.getNode()), value))
                    .get(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException | KafkaException e) {
            throw new ChannelException("could not send " + command.getKind() + " command " + command.getCommandId() + " to the agent of "
                    + command.getCluster() + "/" + command.getNode() + ": " + (e instanceof ExecutionException ? e.getCause() : e), e);
        }
    }

    private static Optional<AgentReply> decode(ConsumerRecord<byte[], byte[]> record) {
        try {
            return Optional.of(Topics.AGENT_REPLIES.valueSerde().deserializer().deserialize(record.topic(), record.value()));
        } catch (RuntimeException e) {
            return Optional.empty();   // not ours to judge: another request may be waiting for it; it is simply not a reply we can read
        }
    }

    @Override
    public void close() {
        tail.ifPresent(ReplyTail::close);
    }

    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }
}
