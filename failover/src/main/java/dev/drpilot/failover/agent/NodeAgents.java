package dev.drpilot.failover.agent;

import dev.drpilot.config.LeaseExpiry;
import dev.drpilot.config.NodeConfig;
import dev.drpilot.events.AgentCommand;
import dev.drpilot.events.AgentCommandKind;
import dev.drpilot.events.AgentReply;
import dev.drpilot.failover.FailoverContext;
import dev.drpilot.runtime.Worker;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * What the failover steps ask of the node agents: a FENCE of the old primary, a PROMOTION_INTENT to the candidate (each
 * one {@link AgentChannel#request} with the context's incident), and the wait on the old primary's lease
 * ({@link LeaseWait}). One per actuator, shared by every step ({@code StepFactory}).
 */
public final class NodeAgents implements AutoCloseable {
    /** The most one read of the agents' leases may take before the promotion counts it as unreadable. */
    private static final Duration LEASE_READ_TIMEOUT = Duration.ofSeconds(10);

    private final Optional<Producer<String, byte[]>> owned;
    private final Optional<LeaseSightings> sightings;
    private final Optional<LeaseReader> ownedReader;
    private final AgentChannel channel;
    private final LeaseWait leases;
    private final String issuedBy;
    private final Clock clock;

    public NodeAgents(AgentChannel channel, LeaseReader leases, String issuedBy, Clock clock) {
        this(Optional.empty(), Optional.empty(), Optional.empty(), channel, leases, issuedBy, clock);
    }

    private NodeAgents(Optional<Producer<String, byte[]>> owned, Optional<LeaseSightings> sightings, Optional<LeaseReader> ownedReader,
                       AgentChannel channel, LeaseReader leases, String issuedBy, Clock clock) {
        this.owned = owned;
        this.sightings = sightings;
        this.ownedReader = ownedReader;
        this.channel = channel;
        this.leases = new LeaseWait(leases, LeaseExpiry.DEFAULT, sightings);
        this.issuedBy = issuedBy;
        this.clock = clock;
    }

    /**
     * The actuator's own: commands sent by an acks=all idempotent producer it owns (closed with it), replies and leases read
     * by consumers of no group, read_committed: replies by one tail for the actuator's life; leases by one tail (the
     * sightings, and the first read of every wait) and by one consumer per wait that must look again.
     */
    public static NodeAgents connect(Map<String, Object> kafkaClientProperties, Clock clock) {
        Map<String, Object> producer = new HashMap<>(kafkaClientProperties);
        producer.put(ProducerConfig.ACKS_CONFIG, "all");
        producer.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        Map<String, Object> consumer = new HashMap<>(kafkaClientProperties);
        consumer.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumer.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumer.remove(ConsumerConfig.GROUP_ID_CONFIG);
        consumer.remove(ConsumerConfig.CLIENT_ID_CONFIG);
        Supplier<Consumer<byte[], byte[]>> consumers = () -> new KafkaConsumer<>(consumer, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        KafkaProducer<String, byte[]> commands = new KafkaProducer<>(producer, new StringSerializer(), new ByteArraySerializer());
        String issuedBy = String.valueOf(kafkaClientProperties.getOrDefault(ProducerConfig.CLIENT_ID_CONFIG, "drpilot-failover"));
        // The leases tailed from the start: a lost machine's last renewal is seen when it is written, long before the promotion,
        // and the promotion's first lease read is answered without a consumer of its own. A tail never skips records unread.
        Map<String, Object> tailConsumer = new HashMap<>(consumer);
        tailConsumer.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        LeaseSightings sightings = new LeaseSightings(new KafkaConsumer<>(tailConsumer, new ByteArrayDeserializer(), new ByteArrayDeserializer()),
                System::nanoTime).start();
        LeaseReader leases = new LeaseReader(consumers, LEASE_READ_TIMEOUT, Optional.of(sightings.leases()));
        return new NodeAgents(Optional.of(commands), Optional.of(sightings), Optional.of(leases), AgentChannel.tailing(commands, consumers),
                leases, issuedBy, clock);
    }

    /** The tails of an actuator's own (the lease sightings and the agents' replies), for the health endpoint. */
    public List<Worker> workers() {
        // A channel it was given is someone else's, and so is its tail's health.
        return Stream.concat(sightings.map(LeaseSightings::worker).stream(), owned.flatMap(producer -> channel.tailWorker()).stream())
                .toList();
    }

    /** The channel itself, for commands nobody waits on here (a rejoin: its reply is recorded by {@code RejoinReplies}). */
    public AgentChannel channel() {
        return channel;
    }

    /**
     * How long a FENCE waits for a reply from an agent this actuator saw stop renewing its lease: long enough for a live
     * agent's answer (41–70 ms measured through the reply tail), far shorter than the full wait a lost machine's agent would
     * otherwise cost every failover (2 s in {@code fence stop}).
     */
    static final Duration SILENT_AGENT_WAIT = Duration.ofMillis(300);

    /** The wait for a FENCE's reply, and why it is shorter than asked for, if it is. */
    public record FenceWait(Duration replyWait, Optional<Duration> silence) {
        /** For the step's outcome: the wait, and the silence that shortened it. */
        public String describe() {
            return silence.map(quiet -> replyWait.toMillis() + " ms (its lease renewals stopped " + quiet.toMillis() + " ms ago)")
                    .orElse(replyWait.toMillis() + " ms");
        }
    }

    /**
     * The wait for the agent of {@code node} to answer a FENCE: {@code wanted}, or {@link #SILENT_AGENT_WAIT} if this actuator's
     * lease tail has heard nothing from an agent holding the lease for more than two renewal intervals (plus the tail's poll).
     * That agent is gone or cut off: its reply would not come, and a missing reply proves nothing anyway (the lease decides
     * at the promotion), so waiting for it only delays the failover of a lost machine. Only a wait is shortened; the command
     * is still sent and any reply still counts.
     */
    public FenceWait fenceWait(String cluster, NodeConfig node, Duration wanted) {
        Optional<Duration> silence = sightings.flatMap(tail -> tail.silence(cluster, node.name()));
        return fenceWait(silence, node.agent().map(agent -> agent.renewInterval()), wanted);
    }

    static FenceWait fenceWait(Optional<Duration> silence, Optional<Duration> renewInterval, Duration wanted) {
        if (silence.isEmpty() || renewInterval.isEmpty() || wanted.compareTo(SILENT_AGENT_WAIT) <= 0) {
            return new FenceWait(wanted, Optional.empty());
        }
        Duration quietLimit = renewInterval.get().multipliedBy(2).plus(LeaseSightings.POLL);
        return silence.get().compareTo(quietLimit) > 0 ? new FenceWait(SILENT_AGENT_WAIT, silence) : new FenceWait(wanted, Optional.empty());
    }

    /** Asks the agent of {@code node} to stop its PostgreSQL taking writes; empty when no reply came within {@code timeout}. */

    public Optional<AgentReply> fence(FailoverContext context, NodeConfig node, Duration timeout) throws AgentChannel.ChannelException,
            InterruptedException {
        String reason = context.chosenCandidate().map(candidate -> "failover " + context.incidentId() + " replaces " + node.name() + " by "
                + candidate.name()).orElse(node.name() + " must take no writes (" + context.incidentId() + ")");
        return channel.request(command(context, node, AgentCommandKind.FENCE, context.chosenCandidate().map(NodeConfig::name), reason, timeout),
                timeout);
    }

    /**
     * Tells the agent of {@code candidate} that it is about to be promoted; DONE means it promised to confirm no failsafe
     * question of the old primary any more. The intent expires with the promote step ({@code validFor}).
     */
    public Optional<AgentReply> promotionIntent(FailoverContext context, NodeConfig candidate, Duration timeout, Duration validFor)
            throws AgentChannel.ChannelException, InterruptedException {
        String reason = "failover " + context.incidentId() + " is about to promote " + candidate.name()
                + context.failedPrimary().map(old -> " in place of " + old.name()).orElse("");
        return channel.request(command(context, candidate, AgentCommandKind.PROMOTION_INTENT, Optional.of(candidate.name()), reason, validFor),
                timeout);
    }

    /** Waits on the old primary's lease, at most {@code budget}. */
    public LeaseFinding awaitLease(FailoverContext context, NodeConfig old, Duration budget) throws InterruptedException {
        return leases.await(context.cluster().name(), old, budget, !context.cluster().failover().failsafe());
    }

    private AgentCommand command(FailoverContext context, NodeConfig node, AgentCommandKind kind, Optional<String> newPrimary, String reason,
                                 Duration validFor) {
        Instant now = clock.instant();
        return AgentCommand.newBuilder().setCommandId(kind.name().toLowerCase(Locale.ROOT) + "-" + UUID.randomUUID()).setCluster(context.cluster().name())
                .setNode(node.name()).setKind(kind).setNewPrimary(newPrimary.orElse(null)).setIncidentId(context.incidentId())
                .setReason(reason).setIssuedBy(issuedBy).setIssuedAt(now).setExpiresAt(now.plus(validFor)).setDetails(Map.of()).build();
    }

    @Override
    public void close() {
        sightings.ifPresent(LeaseSightings::close);
        ownedReader.ifPresent(LeaseReader::close);
        if (owned.isPresent()) {
            channel.close();   // the tail of an actuator's own channel; a channel handed in is its owner's to close
        }
        owned.ifPresent(producer -> producer.close(Duration.ofSeconds(5)));
    }
}
