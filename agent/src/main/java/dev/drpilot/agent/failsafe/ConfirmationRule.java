package dev.drpilot.agent.failsafe;

import dev.drpilot.events.LeaseState;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * Whether a replica's agent confirms that its server still follows the asking primary: its WAL receiver is
 * {@code streaming} from exactly the asking node's configured host and port, it heard from it less than
 * {@code maxAge} ago, and — when the agent has read the leases itself — the newest lease of the cluster does not say
 * the asking node fenced itself or lost its guard, nor that another node holds the lease. Anything else, or anything
 * it cannot read, is a refusal: a refusal only lets the primary's lease age as it would without failsafe mode.
 * (The promotion promise is applied around this rule, under its own lock: {@code FailsafeResponder}.)
 */
public final class ConfirmationRule {
    private ConfirmationRule() {
    }

    public static Confirmation decide(FailsafePeers.Peer asker, WalReceiver wal, Duration maxAge, Optional<LeaseSeen> newestLease) {
        if (wal.error().isPresent()) {
            return Confirmation.refuse("cannot read pg_stat_wal_receiver: " + wal.error().get());
        }
        if (!wal.present()) {
            return Confirmation.refuse("no WAL receiver: this server streams from no one");
        }
        if (wal.status().isEmpty()) {
            return Confirmation.refuse("pg_stat_wal_receiver shows no status to this role (grant it pg_monitor)");
        }
        String status = wal.status().get();
        if (!status.equals("streaming")) {
            return Confirmation.refuse("WAL receiver is " + status.toLowerCase(Locale.ROOT) + ", not streaming");
        }
        String sender = wal.senderHost().orElse("?") + ":" + (wal.senderPort().isPresent() ? Integer.toString(wal.senderPort().getAsInt()) : "?");
        boolean fromAsker = wal.senderHost().filter(host -> host.equalsIgnoreCase(asker.host())).isPresent()
                && wal.senderPort().isPresent() && wal.senderPort().getAsInt() == asker.pgPort();
        if (!fromAsker) {
            return Confirmation.refuse("streams from " + sender + ", not from " + asker.node() + " (" + asker.pgAddress() + ")");
        }
        if (wal.ageMillis().isEmpty()) {
            return Confirmation.refuse("no message received from " + sender + " yet");
        }
        long age = wal.ageMillis().getAsLong();
        if (age < 0) {
            // The server's clock stepped back since the message: how old it really is cannot be told.
            return Confirmation.refuse("last message from " + sender + " stamped " + -age + " ms in the future (clock stepped back?)");
        }
        if (age >= maxAge.toMillis()) {
            return Confirmation.refuse("last message from " + sender + " " + age + " ms ago, " + maxAge.toMillis() + " ms or more");
        }
        if (newestLease.isPresent()) {
            LeaseSeen lease = newestLease.get();
            boolean askersOwn = lease.node().equals(asker.node());
            if (askersOwn && (lease.state() == LeaseState.SELF_FENCED || lease.state() == LeaseState.UNGUARDED)) {
                return Confirmation.refuse("the newest lease of " + asker.node() + " on Kafka is " + lease.state()
                        + ": it may have been failed over since");
            }
            if (!askersOwn && lease.state() == LeaseState.HOLDING) {
                return Confirmation.refuse("node " + lease.node() + " holds the newest lease on Kafka, not " + asker.node());
            }
        }
        return Confirmation.confirm("streaming from " + asker.node() + " (" + sender + "), last message " + age + " ms ago");
    }
}
