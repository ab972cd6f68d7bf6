package dev.drpilot.agent;

import dev.drpilot.config.AgentSettings;
import dev.drpilot.events.AgentLease;
import dev.drpilot.events.LeaseState;
import dev.drpilot.schemas.topic.Topics;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Renews the lease while the node is primary: every renew interval one HOLDING record on drpilot.agent.leases,
 * acks=all, its send timed on the monotonic clock; the acknowledgement moves the lease's anchor to that send. It waits
 * for each acknowledgement up to the renew interval (an acknowledgement that comes later still counts, from its own
 * send time). It also publishes the lease's changes of state (released, self-fenced), which nobody waits for.
 */
final class LeaseKeeper extends AgentLoop {
    private static final Logger log = LoggerFactory.getLogger(LeaseKeeper.class);

    private final AgentSettings settings;
    private final AgentIdentity identity;
    private final Lease lease;
    private final AgentPublisher publisher;
    private final NanoClock clock;
    private final Clock wallClock;
    private final AtomicLong sequence = new AtomicLong();
    private volatile OptionalLong timeline = OptionalLong.empty();
    private volatile long lastRenewMillis = -1;
    private volatile String lastError;
    private volatile long lastSend;
    private volatile AgentLease pendingState;
    private volatile boolean sentOnce;
    private volatile Map<String, String> failsafeReport;
    private boolean withheld;

    LeaseKeeper(AgentSettings settings, AgentIdentity identity, Lease lease, AgentPublisher publisher, NanoClock clock, Clock wallClock) {
        super("agent-lease", settings.renewInterval());
        this.settings = settings;
        this.identity = identity;
        this.lease = lease;
        this.publisher = publisher;
        this.clock = clock;
        this.wallClock = wallClock;
    }

    @Override
    void tick() throws InterruptedException {
        if (lease.state() != Lease.State.HOLDING) {
            retryPendingState();
            return;
        }
        long sent = clock.nanoTime();
        lastSend = sent;
        sentOnce = true;
        if (!lease.mayRenew(sent)) {
            if (!withheld) {
                withheld = true;
                log.warn("lease: node {} has not answered for {} ms or more; no longer renewing its lease ({} ms before the fence)",
                        identity.node(), settings.leaseTtl().toMillis(), TimeUnit.NANOSECONDS.toMillis(lease.nanosUntilFence(sent)));
            }
            return;
        }
        withheld = false;
        // A renewal supersedes any older change still waiting: sent later, it would overwrite the lease it began.
        pendingState = null;
        Map<String, String> details = new LinkedHashMap<>();
        details.put("renewMillis", Long.toString(lastRenewMillis));
        details.put("deadMan", settings.deadMan() ? "on" : "off");
        // Failsafe mode held the lease while Kafka was away: said on the renewals until one of them is acknowledged.
        Map<String, String> report = failsafeReport;
        if (report != null) {
            details.putAll(report);
        }
        Future<RecordMetadata> ack;
        try {
            ack = publisher.send(Topics.AGENT_LEASES, identity.cluster(), record(LeaseState.HOLDING, details), (metadata, error) -> {
                if (error == null) {
                    if (report != null && failsafeReport == report) {
                        failsafeReport = null;
                    }
                    lease.acknowledged(sent).ifPresent(span -> {
                        log.warn("lease: Kafka acknowledges renewals again; failsafe: {} ({} questions)",
                                span.details().get("failsafe"), span.grants());
                        failsafeReport = span.details();
                    });
                    lastRenewMillis = TimeUnit.NANOSECONDS.toMillis(clock.nanoTime() - sent);
                    lastError = null;
                } else {
                    lastError = error.toString();
                }
            });
        } catch (RuntimeException e) {
            // The producer refused at once (no metadata within max.block.ms): the lease ages; the fence guard decides.
            lastError = e.toString();
            log.warn("lease renewal not sent: {}", e.toString());
            return;
        }
        try {
            ack.get(settings.renewInterval().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            log.warn("lease renewal not acknowledged within {} ms; {} ms left before the fence", settings.renewInterval().toMillis(),
                    TimeUnit.NANOSECONDS.toMillis(lease.nanosUntilFence(clock.nanoTime())));
        } catch (ExecutionException e) {
            log.warn("lease renewal failed: {}", e.getCause().toString());
        }
    }

    /** Renewals keep their cadence from one send to the next, however long an acknowledgement took. */
    @Override
    long nextDelayMillis() {
        if (!sentOnce || lease.state() != Lease.State.HOLDING) {
            // Not holding: look again soon, so that a new lease's first renewal goes out promptly.
            return settings.checkInterval().toMillis();
        }
        long next = lastSend + settings.renewInterval().toNanos() - clock.nanoTime();
        return Math.max(0, TimeUnit.NANOSECONDS.toMillis(next));
    }

    /**
     * Publishes a change of the lease's state without waiting (Kafka may well be what is missing); one that is not
     * acknowledged is sent again every tick until one is, unless a newer change replaced it.
     */
    void publishState(LeaseState state, Map<String, String> details) {
        AgentLease record = record(state, details);
        synchronized (this) {
            pendingState = record;
        }
        sendState(record);
    }

    private void retryPendingState() {
        AgentLease pending = pendingState;
        if (pending != null) {
            sendState(pending);
        }
    }

    private void sendState(AgentLease record) {
        try {
            publisher.send(Topics.AGENT_LEASES, identity.cluster(), record, (metadata, error) -> {
                if (error == null) {
                    pendingStateAcknowledged(record);
                } else {
                    log.warn("lease state {} not published yet: {}", record.getState(), error.toString());
                }
            });
        } catch (RuntimeException e) {
            log.warn("lease state {} not published yet: {}", record.getState(), e.toString());
        }
    }

    private synchronized void pendingStateAcknowledged(AgentLease record) {
        if (pendingState == record) {
            pendingState = null;
        }
    }

    void timeline(OptionalLong timeline) {
        this.timeline = timeline;
    }

    long lastRenewMillis() {
        return lastRenewMillis;
    }

    @Override
    public Optional<String> trouble() {
        String error = lastError;
        return error == null ? super.trouble() : Optional.of("lease renewal failing: " + error);
    }

    private AgentLease record(LeaseState state, Map<String, String> details) {
        OptionalLong knownTimeline = timeline;
        return AgentLease.newBuilder()
                .setCluster(identity.cluster()).setNode(identity.node()).setAgentId(identity.agentId())
                .setState(state).setSequence(sequence.incrementAndGet()).setTtlMillis(settings.leaseTtl().toMillis())
                .setTimeline(knownTimeline.isPresent() ? knownTimeline.getAsLong() : null)
                .setRenewedAt(wallClock.instant())
                .setDetails(Map.copyOf(details))
                .build();
    }
}
