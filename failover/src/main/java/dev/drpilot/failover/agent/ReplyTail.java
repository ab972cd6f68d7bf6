package dev.drpilot.failover.agent;

import dev.drpilot.events.AgentReply;
import dev.drpilot.runtime.Worker;
import dev.drpilot.schemas.topic.Topics;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The agents' replies, tailed by one consumer for the actuator's whole life and handed to whoever waits for them by
 * command id. A request through it costs one send and the reply's way back; a consumer of its own per request (the
 * fallback) first spends a metadata lookup and an offsets lookup, most of a second on a loaded host, and a failover asks
 * twice (the old primary's FENCE, the candidate's PROMOTION_INTENT).
 *
 * <p>It is only used once every partition's position is resolved ({@link #await} is empty before): a reply is produced
 * after its command was sent, which is after the waiter registered, so from then on no reply can pass unseen. When the tail
 * stops, every waiter is told at once and counts as "no reply" (which proves nothing: the lease decides), and later
 * requests read by themselves again.
 */
final class ReplyTail implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReplyTail.class);
    private static final Duration POLL = Duration.ofMillis(200);

    private final Consumer<byte[], byte[]> consumer;
    private final Map<String, CompletableFuture<AgentReply>> waiting = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean positioned;
    private final TailHealth health = new TailHealth("failover-agent-replies");

    ReplyTail(Consumer<byte[], byte[]> consumer) {
        this.consumer = consumer;
        this.thread = new Thread(this::run, health.name());
        this.thread.setDaemon(true);
    }

    ReplyTail start() {
        thread.start();
        return this;
    }

    /** Whether requests are answered through this tail now. */
    boolean positioned() {
        return positioned;
    }

    /**
     * Registers a wait for the reply to {@code commandId}; call before sending the command, and {@link #forget} after.
     *
     * @return empty when the tail is not (or no longer) positioned: the caller must read the replies by itself
     */
    Optional<CompletableFuture<AgentReply>> await(String commandId) {
        if (!positioned) {
            return Optional.empty();
        }
        CompletableFuture<AgentReply> reply = new CompletableFuture<>();
        waiting.put(commandId, reply);
        if (!positioned) {   // stopped between the look and the registration: its clean-up may have missed this one
            waiting.remove(commandId);
            return Optional.empty();
        }
        return Optional.of(reply);
    }

    void forget(String commandId) {
        waiting.remove(commandId);
    }

    private void run() {
        try {
            List<TopicPartition> partitions = partitions();
            if (partitions.isEmpty()) {
                return;
            }
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            for (TopicPartition partition : partitions) {
                consumer.position(partition, Duration.ofSeconds(30));   // resolved now, not lazily at the first poll
            }
            positioned = true;
            log.info("agent replies tailed from the end of {} partition(s) of {}", partitions.size(), Topics.AGENT_REPLIES.name());
            while (running) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                    accept(record);
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            health.failed(e);
            log.warn("agent reply tail stopped ({}): each request to an agent reads the replies by itself from now on; the health "
                    + "endpoint reports this tail dead until a restart", e.toString());
        } finally {
            positioned = false;
            waiting.values().forEach(reply -> reply.completeExceptionally(new IllegalStateException("the agent reply tail stopped")));
            waiting.clear();
            health.ended();
        }
    }

    void accept(ConsumerRecord<byte[], byte[]> record) {
        AgentReply reply;
        try {
            reply = Topics.AGENT_REPLIES.valueSerde().deserializer().deserialize(record.topic(), record.value());
        } catch (RuntimeException e) {
            log.debug("agent replies: skipped an unreadable record at {}-{}@{}", record.topic(), record.partition(), record.offset());
            return;   // nobody's reply we can read; a waiter for it times out and falls back to the lease
        }
        if (reply == null) {
            return;
        }
        CompletableFuture<AgentReply> waiter = waiting.remove(reply.getCommandId());
        if (waiter != null) {
            waiter.complete(reply);
        }
    }

    /** How it stands, for the health endpoint. */
    Worker worker() {
        return health;
    }

    private List<TopicPartition> partitions() throws InterruptedException {
        return PartitionLookup.await(consumer, Topics.AGENT_REPLIES.name(), () -> running, log);
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        consumer.close(Duration.ofSeconds(5));
    }
}
