package dev.drpilot.agent;

import dev.drpilot.config.LeaseExpiry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Replaced means fenced at once: when the postmaster watch sees its node answer as a primary, this asks
 * {@link Replacement} whether another node holds the cluster's lease live, and if so fences the node
 * ({@link CommandedFence}: standby.signal, immediate stop, a standby again with {@code fence: demote}) before its lease is
 * taken. An old primary whose host comes back after a failover, started as it was, is then a standby within one check
 * interval of answering, wherever its clients are.
 */
final class ReplacedFence implements PostmasterWatch.ReplacedCheck {
    private static final Logger log = LoggerFactory.getLogger(ReplacedFence.class);

    private final String node;
    private final LeaseWatch leases;
    private final PromotionIntentHandler intents;
    private final CommandedFence fence;
    private volatile Long holdingSince;

    ReplacedFence(String node, LeaseWatch leases, PromotionIntentHandler intents, CommandedFence fence) {
        this.node = node;
        this.leases = leases;
        this.intents = intents;
        this.fence = fence;
    }

    @Override
    public Optional<String> fencedAsReplaced(long now) {
        Optional<String> holder = Replacement.replacedBy(node, leases.newest(), now, Optional.ofNullable(holdingSince), intents.acknowledgedAt(),
                LeaseExpiry.DEFAULT);
        if (holder.isEmpty()) {
            return Optional.empty();
        }
        long readAgo = TimeUnit.NANOSECONDS.toMillis(now - leases.newest().orElseThrow().readAt());
        log.error("node {} answers as a primary while {} holds the cluster's lease (its renewal read {} ms ago): {} was replaced, fencing it now",
                node, holder.get(), readAgo, node);
        fence.fence("replaced by " + holder.get() + ", whose agent holds the lease");
        return holder;
    }

    @Override
    public void beganHolding(long now) {
        holdingSince = now;
        intents.promoted();
    }

    @Override
    public void stoppedHolding() {
        holdingSince = null;
    }
}
