package dev.drpilot.agent;

import dev.drpilot.agent.failsafe.FailsafeAsker;
import dev.drpilot.agent.failsafe.FailsafeServer;
import dev.drpilot.agent.failsafe.Question;
import dev.drpilot.config.AgentSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Failsafe mode, the primary's side: while Kafka has not acknowledged a renewal for 1.25 renew intervals, every renew
 * interval it writes a heartbeat, asks every other node's agent whether its server still streams from this one, and — if
 * every one of them confirms — counts the question's send as an acknowledged renewal. One missing confirmation and the
 * lease ages as usual; the fence guard and the dead-man switch work on the lease as they always do. It ticks four times a
 * renew interval so that the first question leaves soon after Kafka fell silent.
 */
final class FailsafeKeeper extends AgentLoop {
    private static final Logger log = LoggerFactory.getLogger(FailsafeKeeper.class);

    private final AgentSettings settings;
    private final AgentIdentity identity;
    private final Lease lease;
    private final FailsafeAsker asker;
    private final FailsafeServer server;
    private final NanoClock clock;
    private final Duration askAfter;
    private long lastQuestion;
    private boolean asked;
    private volatile String refusal;
    private volatile String lastRefusal = "";
    private volatile long slowestRoundMillis;

    FailsafeKeeper(AgentSettings settings, AgentIdentity identity, Lease lease, FailsafeAsker asker, FailsafeServer server, NanoClock clock) {
        super("agent-failsafe", settings.renewInterval().dividedBy(4));
        this.settings = settings;
        this.identity = identity;
        this.lease = lease;
        this.asker = asker;
        this.server = server;
        this.clock = clock;
        this.askAfter = settings.renewInterval().plus(settings.renewInterval().dividedBy(4));
    }

    @Override
    void tick() throws InterruptedException {
        long now = clock.nanoTime();
        if (!lease.needsFailsafe(now, askAfter)) {
            refusal = null;
            return;
        }
        if (asked && now - lastQuestion < settings.renewInterval().toNanos()) {
            return;
        }
        long began = clock.nanoTime();
        server.heartbeat();
        long sent = clock.nanoTime();
        lastQuestion = sent;
        asked = true;
        List<FailsafeAsker.Answer> answers = asker.ask(new Question(identity.cluster(), identity.node(), identity.agentId()));
        slowestRoundMillis = Math.max(slowestRoundMillis, TimeUnit.NANOSECONDS.toMillis(clock.nanoTime() - began));
        boolean everyOne = !answers.isEmpty() && answers.stream().allMatch(FailsafeAsker.Answer::confirmed);
        if (everyOne && lease.grantedByReplicas(sent, answers.size())) {
            if (refusal != null || lease.failsafe().map(Lease.FailsafeSpan::grants).orElse(0) == 1) {
                log.warn("failsafe: no renewal acknowledged by Kafka for {} ms or more; every replica confirmed ({}): renewing through failsafe",
                        askAfter.toMillis(), describe(answers));
            }
            refusal = null;
        } else if (!everyOne) {
            refusal = describe(answers);
            lastRefusal = refusal;
            log.warn("failsafe: not every replica confirmed ({}); the lease ages: the fence is due in {} ms", refusal,
                    TimeUnit.NANOSECONDS.toMillis(lease.nanosUntilFence(clock.nanoTime())));
        }
    }

    private static String describe(List<FailsafeAsker.Answer> answers) {
        return answers.stream().map(FailsafeAsker.Answer::describe).collect(Collectors.joining("; "));
    }

    /** The answers of the newest question not every replica confirmed (kept after the lease ended, for the logs and tests). */
    String lastRefusal() {
        return lastRefusal;
    }

    /** The longest a round took, heartbeat and every answer (for the measurements in docs/agent.md). */
    long slowestRoundMillis() {
        return slowestRoundMillis;
    }

    @Override
    public Optional<String> trouble() {
        String refused = refusal;
        if (refused != null) {
            return Optional.of("failsafe refused, the lease ages: " + refused);
        }
        Optional<Lease.FailsafeSpan> span = lease.failsafe();
        if (span.isPresent()) {
            return Optional.of("renewing through failsafe: Kafka unreachable (" + span.get().details().get("failsafe") + ")");
        }
        return super.trouble();
    }
}
