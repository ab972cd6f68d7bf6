package dev.drpilot.agent.failsafe;

import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * What a replica's server says of its WAL receiver ({@code pg_stat_wal_receiver}): its status, whom it streams from, and
 * how long ago it last heard from that sender — measured by the server against its own clock, so the agent's clock plays
 * no part.
 *
 * @param present    whether there is a WAL receiver at all (a primary, or a standby not connected, has none)
 * @param error      why it could not be read (the server did not answer; the role may not see the columns)
 * @param ageMillis  {@code clock_timestamp() - last_msg_receipt_time} on the server, when it received anything yet
 */
public record WalReceiver(boolean present, Optional<String> error, Optional<String> status, Optional<String> senderHost,
                          OptionalInt senderPort, OptionalLong ageMillis) {
    /**
     * One row while a receiver runs. Both timestamps come from the server's clock (the same host's), so no skew between
     * hosts enters; the columns are NULL for a role without {@code pg_read_all_stats} (grant it {@code pg_monitor}).
     */
    public static final String QUERY = "SELECT status, sender_host, sender_port,"
            + " (EXTRACT(EPOCH FROM clock_timestamp() - last_msg_receipt_time) * 1000)::bigint FROM pg_stat_wal_receiver";

    public static WalReceiver none() {
        return new WalReceiver(false, Optional.empty(), Optional.empty(), Optional.empty(), OptionalInt.empty(), OptionalLong.empty());
    }

    public static WalReceiver unreadable(String error) {
        return new WalReceiver(false, Optional.of(error), Optional.empty(), Optional.empty(), OptionalInt.empty(), OptionalLong.empty());
    }

    public static WalReceiver of(String status, String senderHost, Integer senderPort, Long ageMillis) {
        return new WalReceiver(true, Optional.empty(), Optional.ofNullable(status), Optional.ofNullable(senderHost),
                senderPort == null ? OptionalInt.empty() : OptionalInt.of(senderPort),
                ageMillis == null ? OptionalLong.empty() : OptionalLong.of(ageMillis));
    }
}
