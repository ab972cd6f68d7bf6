package dev.drpilot.agent;

import dev.drpilot.config.AgentSettings;
import dev.drpilot.events.HealthObservation;
import dev.drpilot.events.LeaseState;
import dev.drpilot.events.NodeRole;
import dev.drpilot.events.ProbeKind;
import dev.drpilot.events.Source;
import dev.drpilot.schemas.topic.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * The agent's eyes on its own server, every check interval: the postmaster process (pid file, process table, stopped
 * or not) and a local query. It tells the lease what role it saw, and publishes a HealthObservation as the agent's
 * own vantage at once when its verdict changes (the postmaster gone, not answering, back) and again every
 * observation interval while it does not.
 */
final class PostmasterWatch extends AgentLoop {
    private static final Logger log = LoggerFactory.getLogger(PostmasterWatch.class);
    static final String PROBE = "agent";

    private final AgentSettings settings;
    private final AgentIdentity identity;
    private final Postmaster postmaster;
    private final LocalServer server;
    private final Lease lease;
    private final LeaseKeeper keeper;
    private final AgentPublisher publisher;
    private final NanoClock clock;
    private final Clock wallClock;
    private final ReplacedCheck replaced;
    private final BooleanSupplier leaseWithheld;
    private LocalVerdict lastVerdict;
    private long lastPublished;
    private volatile LocalVerdict verdict;

    PostmasterWatch(AgentSettings settings, AgentIdentity identity, Postmaster postmaster, LocalServer server, Lease lease,
                    LeaseKeeper keeper, AgentPublisher publisher, NanoClock clock, Clock wallClock, ReplacedCheck replaced,
                    BooleanSupplier leaseWithheld) {
        super("agent-postmaster-watch", settings.checkInterval());
        this.settings = settings;
        this.identity = identity;
        this.postmaster = postmaster;
        this.server = server;
        this.lease = lease;
        this.keeper = keeper;
        this.publisher = publisher;
        this.clock = clock;
        this.wallClock = wallClock;
        this.replaced = replaced;
        this.leaseWithheld = leaseWithheld;
    }

    /**
     * What the watch asks before its node's primary role counts for the lease: whether the node was replaced (then it is
     * fenced at once, and the lease is not taken), and what to do once it holds the lease.
     */
    interface ReplacedCheck {
        /** @return the node this one was replaced by, once it has been fenced for it: its role this tick does not count */
        Optional<String> fencedAsReplaced(long now);

        void beganHolding(long now);

        void stoppedHolding();
    }

    @Override
    void tick() {
        Instant observedAt = wallClock.instant();
        Postmaster.Seen seen = postmaster.look();
        LocalAnswer answer = server.ask();
        LocalVerdict now = LocalVerdict.of(seen, answer);
        verdict = now;
        long at = clock.nanoTime();
        // The lease is released for a missing postmaster only when nothing answers either: a pid file caught
        // half-written must not tell the actuator that a running primary takes no writes.
        Lease.Role role = now == LocalVerdict.DOWN && !answer.answered() ? Lease.Role.DOWN : answer.role();
        if (role == Lease.Role.PRIMARY && leaseWithheld.getAsBoolean()) {
            // A rejoin under way: this primary was replaced and is about to be stopped; it begins no lease.
            role = Lease.Role.UNKNOWN;
        }
        if (answer.timeline().isPresent()) {
            keeper.timeline(answer.timeline());
        }
        Optional<String> replacedBy = role == Lease.Role.PRIMARY ? replaced.fencedAsReplaced(at) : Optional.empty();
        if (lease.state() != Lease.State.HOLDING) {
            replaced.stoppedHolding();
        }
        // A replaced node's role does not count: it was fenced instead of taking the lease.
        switch (replacedBy.isPresent() ? Lease.Change.NONE : lease.roleSeen(role, at)) {
            case BEGAN_HOLDING -> {
                log.info("lease: node {} is primary; holding the lease of cluster {}", identity.node(), identity.cluster());
                replaced.beganHolding(at);
            }
            case RELEASED -> {
                log.info("lease: node {} is {}; lease of cluster {} released", identity.node(), role.name().toLowerCase(Locale.ROOT), identity.cluster());
                keeper.publishState(LeaseState.RELEASED, Map.of("reason", role == Lease.Role.DOWN ? "postmaster down" : "node is a standby"));
            }
            case NONE -> { }
        }
        if (now != lastVerdict || at - lastPublished >= settings.observationInterval().toNanos() || replacedBy.isPresent()) {
            if (now != lastVerdict) {
                log.info("postmaster of {}: {} ({})", identity.node(), now.label(), answer.error().orElse("answered"));
            }
            HealthObservation observation = observation(observedAt, seen, answer, now);
            if (replacedBy.isPresent()) {
                Map<String, String> details = new LinkedHashMap<>(observation.getDetails());
                details.put("fencedAsReplacedBy", replacedBy.get());
                observation = HealthObservation.newBuilder(observation).setDetails(details).build();
            }
            publish(observation);
            lastVerdict = now;
            lastPublished = at;
        }
    }

    LocalVerdict verdict() {
        return verdict;
    }

    private void publish(HealthObservation observation) {
        try {
            publisher.send(Topics.HEALTH_OBSERVATIONS, identity.cluster(), observation, (metadata, error) -> {
                if (error != null) {
                    log.warn("health observation not published: {}", error.toString());
                }
            });
        } catch (RuntimeException e) {
            log.warn("health observation not published: {}", e.toString());
        }
    }

    HealthObservation observation(Instant observedAt, Postmaster.Seen seen, LocalAnswer answer, LocalVerdict verdict) {
        Map<String, String> details = new LinkedHashMap<>();
        details.put("agentVerdict", verdict.label());
        details.put("postmaster", seen.process().name().toLowerCase(Locale.ROOT).replace('_', '-'));
        seen.pid().ifPresent(pid -> details.put("pid", Long.toString(pid)));
        details.put("agentId", identity.agentId());
        return HealthObservation.newBuilder()
                .setObservedAt(observedAt)
                .setSource(Source.newBuilder().setCollectorId(identity.collectorId()).setVantage(identity.vantage()).build())
                .setProbe(PROBE)
                .setKind(ProbeKind.POSTGRES)
                .setComponent(identity.component())
                .setCluster(identity.cluster())
                .setNode(identity.node())
                .setTarget(settings.host() + ":" + settings.port())
                .setOk(verdict == LocalVerdict.UP)
                .setAnswered(verdict == LocalVerdict.UP || verdict == LocalVerdict.ANSWERED_WITH_ERROR)
                .setSqlState(verdict == LocalVerdict.ANSWERED_WITH_ERROR ? answer.sqlState().orElse(null) : null)
                .setRole(verdict != LocalVerdict.UP ? NodeRole.UNKNOWN
                        : answer.role() == Lease.Role.PRIMARY ? NodeRole.PRIMARY : NodeRole.REPLICA)
                .setLatencyMillis(verdict == LocalVerdict.NOT_ANSWERING || verdict == LocalVerdict.DOWN ? null : answer.latencyMillis())
                .setError(verdict == LocalVerdict.UP ? null : answer.error().orElse(verdict.label()))
                .setDetails(details)
                .build();
    }
}
