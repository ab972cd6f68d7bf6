package dev.drpilot.agent;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * The agent's own view of its primary's lease, as a pure state machine on a monotonic clock (nanoseconds from
 * {@link NanoClock}); the loops around it only feed it what they saw and do what it says.
 *
 * <p>While the node is primary the lease is {@link State#HOLDING}. Its anchor is the send of the newest acknowledged
 * renewal (or, before the first acknowledgement, the moment the agent began holding: a renewal cannot be older than
 * that). Once {@code fenceAfter} has passed since the anchor the agent must fence, so that with the fence's
 * {@code stopBudget} the node has stopped taking writes by {@code ttl}. An acknowledgement of a send that is older
 * than the anchor, or that arrives once the fence has begun, changes nothing.
 *
 * <p>In failsafe mode a renewal can also be granted by the replicas instead of Kafka: when every replica's agent
 * confirmed a question sent at {@code sentAt}, that send counts exactly as an acknowledged renewal would. Kafka's
 * newest acknowledgement is kept apart, so the agent knows when to ask and, once Kafka acknowledges again, how long
 * the lease was held through failsafe ({@link FailsafeSpan}).
 */
public final class Lease {
    public enum State { IDLE, HOLDING, FENCING, FENCED }

    /** What the agent saw its node to be: primary, standby, down (no postmaster), or unknown (it did not answer). */
    public enum Role { PRIMARY, STANDBY, DOWN, UNKNOWN }

    /** What changed when the role was seen, so the caller can publish it. */
    public enum Change { NONE, BEGAN_HOLDING, RELEASED }

    private final long fenceAfterNanos;
    private final long ttlNanos;
    private State state = State.IDLE;
    private long anchor;
    private long newestAckedSend;
    private boolean acknowledged;
    private boolean silent;
    private long silentSince;
    private long kafkaAnchor;
    private boolean kafkaAcknowledged;
    private FailsafeSpan failsafe;

    /**
     * The lease held through failsafe: since the send of Kafka's newest acknowledged renewal before it ({@code since}),
     * up to the newest question every replica confirmed ({@code lastGranted}), by {@code replicas} replicas, over
     * {@code grants} questions.
     */
    public record FailsafeSpan(long since, long lastGranted, int replicas, int grants) {
        FailsafeSpan granted(long sentAt, int by) {
            return new FailsafeSpan(since, Math.max(lastGranted, sentAt), by, grants + 1);
        }

        /** From Kafka's last renewal before it to the last one the replicas granted. */
        public long heldMillis() {
            return TimeUnit.NANOSECONDS.toMillis(lastGranted - since);
        }

        /** What a lease record says of it once Kafka is back, e.g. {@code failsafe: held 61.2 s by 2 replicas}. */
        public Map<String, String> details() {
            Map<String, String> details = new LinkedHashMap<>();
            details.put("failsafe", String.format(Locale.ROOT, "held %.1f s by %d replica%s", heldMillis() / 1000.0, replicas,
                    replicas == 1 ? "" : "s"));
            details.put("failsafeHeldMillis", Long.toString(heldMillis()));
            details.put("failsafeReplicas", Integer.toString(replicas));
            details.put("failsafeQuestions", Integer.toString(grants));
            return details;
        }
    }

    public Lease(Duration ttl, Duration fenceAfter) {
        if (fenceAfter.isNegative() || fenceAfter.compareTo(ttl) > 0) {
            throw new IllegalArgumentException("fenceAfter " + fenceAfter + " must be within the ttl " + ttl);
        }
        this.ttlNanos = ttl.toNanos();
        this.fenceAfterNanos = fenceAfter.toNanos();
    }

    public synchronized State state() {
        return state;
    }

    /**
     * The role seen at {@code now}: a primary begins a lease; a standby (a switchover, or a fence that demoted) or a
     * server without a postmaster (it takes no writes) ends one. Seen during a fence, it changes nothing.
     */
    public synchronized Change roleSeen(Role role, long now) {
        if (role == Role.UNKNOWN) {
            if (!silent) {
                silent = true;
                silentSince = now;
            }
        } else {
            silent = false;
        }
        if (role == Role.PRIMARY && (state == State.IDLE || state == State.FENCED)) {
            state = State.HOLDING;
            anchor = now;
            kafkaAnchor = now;
            kafkaAcknowledged = false;
            acknowledged = false;
            failsafe = null;
            return Change.BEGAN_HOLDING;
        }
        if ((role == Role.STANDBY || role == Role.DOWN) && (state == State.HOLDING || state == State.FENCED)) {
            State was = state;
            state = State.IDLE;
            return was == State.HOLDING ? Change.RELEASED : Change.NONE;
        }
        // UNKNOWN changes nothing at once: a server that does not answer for a moment keeps its lease (see mayRenew).
        return Change.NONE;
    }

    /**
     * Whether a renewal may be sent now: while holding, unless the server has answered nothing for a whole TTL. A
     * primary that hangs that long is not serving; renewing for it would keep the actuator from ever failing it over,
     * so the lease is left to age, and the fence stops the hung server (it is killed if frozen) a TTL later.
     */
    public synchronized boolean mayRenew(long now) {
        return state == State.HOLDING && !(silent && now - silentSince >= ttlNanos);
    }

    /**
     * A renewal sent at {@code sentAt} was acknowledged by every in-sync replica (acks=all). Kafka is back: a lease held
     * through failsafe until now is so no longer, and that span is returned (once) for the agent to publish — even
     * when the acknowledgement is of a send older than the anchor, which renews nothing.
     */
    public synchronized Optional<FailsafeSpan> acknowledged(long sentAt) {
        if (state != State.HOLDING) {
            return Optional.empty();
        }
        Optional<FailsafeSpan> ended = Optional.ofNullable(failsafe);
        failsafe = null;
        if (sentAt - kafkaAnchor >= 0) {
            kafkaAnchor = sentAt;
            kafkaAcknowledged = true;
        }
        if (sentAt - anchor >= 0) {
            anchor = sentAt;
            newestAckedSend = sentAt;
            acknowledged = true;
        }
        return ended;
    }

    /**
     * Failsafe: whether to ask the replicas now — holding, renewable (a hung server is not renewed for, by Kafka or by
     * the replicas), and Kafka's newest acknowledged renewal was sent {@code after} or longer ago. Only a lease Kafka
     * acknowledged at least once is held through failsafe: one it never saw would keep a primary running that no reader
     * of the lease topic knows to wait for.
     */
    public synchronized boolean needsFailsafe(long now, Duration after) {
        return mayRenew(now) && kafkaAcknowledged && now - kafkaAnchor >= after.toNanos();
    }

    /**
     * Failsafe: every one of the {@code replicas} replicas confirmed a question sent at {@code sentAt}; it counts as a
     * renewal acknowledged at that send. Returns whether it renewed the lease (not once the fence has begun, nor for a
     * send older than the anchor).
     */
    public synchronized boolean grantedByReplicas(long sentAt, int replicas) {
        if (state != State.HOLDING || replicas < 1 || sentAt - anchor < 0) {
            return false;
        }
        anchor = sentAt;
        newestAckedSend = sentAt;
        acknowledged = true;
        failsafe = (failsafe == null ? new FailsafeSpan(kafkaAnchor, sentAt, replicas, 0) : failsafe).granted(sentAt, replicas);
        return true;
    }

    /** The lease held through failsafe right now, if it is. */
    public synchronized Optional<FailsafeSpan> failsafe() {
        return state == State.HOLDING ? Optional.ofNullable(failsafe) : Optional.empty();
    }

    /** The send time of the newest acknowledged renewal of the current lease, if there was one. */
    public synchronized OptionalLong newestAcknowledgedSend() {
        return state == State.HOLDING && acknowledged ? OptionalLong.of(newestAckedSend) : OptionalLong.empty();
    }

    /** Whether the fence must start now. */
    public synchronized boolean mustFence(long now) {
        return state == State.HOLDING && now - anchor >= fenceAfterNanos;
    }

    /** Nanoseconds until the fence must start (negative once late); meaningful while holding. */
    public synchronized long nanosUntilFence(long now) {
        return anchor + fenceAfterNanos - now;
    }

    /** The instant (on the same clock) by which the node must have stopped taking writes: the anchor plus the TTL. */
    public synchronized long writesEndBy() {
        return anchor + ttlNanos;
    }

    /** The fence began: from now on no acknowledgement renews this lease. Returns false if it was not holding. */
    public synchronized boolean fencing() {
        if (state != State.HOLDING) {
            return false;
        }
        state = State.FENCING;
        return true;
    }

    public synchronized void fenced() {
        if (state == State.FENCING) {
            state = State.FENCED;
        }
    }
}
