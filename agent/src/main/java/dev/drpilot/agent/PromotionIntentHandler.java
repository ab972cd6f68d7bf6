package dev.drpilot.agent;

import dev.drpilot.agent.command.CommandHandler;
import dev.drpilot.events.AgentCommand;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * PROMOTION_INTENT: the actuator is about to promote this agent's node. The agent promises ({@link PromotionPromise}) to
 * confirm no failsafe question of the old primary from now on, then answers DONE. The promise ends when the node is
 * primary ({@link #promoted}) or when the intent expires ({@code expiresAt}, the promote step's end, on this host's wall
 * clock) without a promotion. When it acknowledged is also what {@link Replacement} needs: a lease read before it was
 * judged by the actuator, not by this agent.
 */
final class PromotionIntentHandler implements CommandHandler, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PromotionIntentHandler.class);

    private final PromotionPromise promise;
    private final NanoClock clock;
    private final Clock wallClock;
    private final ScheduledExecutorService expiries = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "agent-intent-expiry");
        thread.setDaemon(true);
        return thread;
    });
    private volatile Long acknowledgedAt;

    PromotionIntentHandler(PromotionPromise promise, NanoClock clock, Clock wallClock) {
        this.promise = promise;
        this.clock = clock;
        this.wallClock = wallClock;
    }

    @Override
    public Reply handle(AgentCommand command) {
        String id = command.getCommandId();
        promise.acknowledge(id);
        acknowledgedAt = clock.nanoTime();
        long validMillis = Math.max(0, command.getExpiresAt().toEpochMilli() - wallClock.millis());
        expiries.schedule(() -> {
            if (promise.acknowledged().filter(id::equals).isPresent()) {
                log.info("promotion intent {} expired without a promotion: the promise ends", id);
                promise.release();
            }
        }, validMillis, TimeUnit.MILLISECONDS);
        return Reply.done("promised: this agent confirms no failsafe question of the old primary until its node is primary or the intent"
                + " expires in " + validMillis + " ms", Map.of("promisedForMillis", Long.toString(validMillis)));
    }

    /** The node is primary now: it asks failsafe questions instead of answering them. */
    void promoted() {
        if (promise.acknowledged().isPresent()) {
            promise.release();
        }
    }

    Optional<Long> acknowledgedAt() {
        return Optional.ofNullable(acknowledgedAt);
    }

    @Override
    public void close() {
        expiries.shutdownNow();
    }
}
