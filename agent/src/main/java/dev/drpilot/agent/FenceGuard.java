package dev.drpilot.agent;

import dev.drpilot.config.AgentSettings;
import dev.drpilot.events.LeaseState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Watches the lease's age on the monotonic clock and fences the node when it must: at {@code leaseTtl - stopBudget}
 * after the send of the newest acknowledged renewal, so that the stop has ended every write by the TTL. It runs apart
 * from the renewals, which may hang in the Kafka client, and pets the dead-man switch while the lease is held, with a
 * deadline half the stop budget after its own: the switch acts only if this loop could not.
 */
final class FenceGuard extends AgentLoop {
    private static final Logger log = LoggerFactory.getLogger(FenceGuard.class);
    static final Duration TICK = Duration.ofMillis(50);

    private final AgentSettings settings;
    private final Lease lease;
    private final Fence fence;
    private final Optional<DeadManSwitch> deadMan;
    private final LeaseKeeper keeper;
    private final NanoClock clock;
    private volatile FenceRecord lastFence;

    /** One fence as it happened, on the monotonic clock: when it began, when writes had ended, and by when they had to. */
    record FenceRecord(long beganAt, long writesStoppedAt, long writesEndBy, Fence.Outcome outcome) {
    }

    FenceGuard(AgentSettings settings, Lease lease, Fence fence, Optional<DeadManSwitch> deadMan, LeaseKeeper keeper, NanoClock clock) {
        super("agent-fence-guard", TICK);
        this.settings = settings;
        this.lease = lease;
        this.fence = fence;
        this.deadMan = deadMan;
        this.keeper = keeper;
        this.clock = clock;
    }

    @Override
    void tick() {
        long now = clock.nanoTime();
        Lease.State state = lease.state();
        if (state == Lease.State.HOLDING && !lease.mustFence(now)) {
            long untilFence = TimeUnit.NANOSECONDS.toMillis(lease.nanosUntilFence(now));
            deadMan.ifPresent(watchdog -> watchdog.arm(untilFence + settings.stopBudget().toMillis() / 2));
            return;
        }
        deadMan.ifPresent(DeadManSwitch::disarm);
        if (state == Lease.State.HOLDING) {
            long writesEndBy = lease.writesEndBy();
            if (lease.fencing()) {
                fenceNow(now, writesEndBy);
            }
        } else if (state == Lease.State.FENCING) {
            // The last attempt did not end the writes: try again, every tick, until it does — unless the fence this tick
            // waited for (a FENCE command's) ended them.
            long writesEndBy = lease.writesEndBy();
            fence.fenceIf(() -> lease.state() == Lease.State.FENCING).ifPresent(outcome -> fenced(now, writesEndBy, outcome));
        }
    }

    private void fenceNow(long began, long writesEndBy) {
        log.warn("lease: no acknowledged renewal for {} ms; fencing the node ({} ms before the TTL)",
                settings.fenceAfter().toMillis(), TimeUnit.NANOSECONDS.toMillis(writesEndBy - began));
        fenced(began, writesEndBy, fence.fence());
    }

    private void fenced(long began, long writesEndBy, Fence.Outcome outcome) {
        long stoppedAt = outcome.stoppedAt();
        lastFence = new FenceRecord(began, stoppedAt, writesEndBy, outcome);
        if (outcome.writesStopped()) {
            lease.fenced();
            Map<String, String> details = new LinkedHashMap<>(outcome.details());
            details.put("totalMillis", Long.toString(outcome.totalMillis()));
            details.put("marginMillis", Long.toString(TimeUnit.NANOSECONDS.toMillis(writesEndBy - stoppedAt)));
            keeper.publishState(LeaseState.SELF_FENCED, details);
        }
    }

    /** A fence under way is let finish when the agent stops: half a fence leaves a primary neither guarded nor stopped. */
    @Override
    boolean interruptOnClose() {
        return false;
    }

    Optional<FenceRecord> lastFence() {
        return Optional.ofNullable(lastFence);
    }
}
