package dev.drpilot.ingest.replication;

import java.time.Instant;
import java.util.Optional;

/**
 * What a replica says about itself. {@code now} is the replica's own clock, so that
 * {@code now - lastReplayAt} involves one clock only. {@code timeline}: the timeline its WAL receiver received last, or the
 * one it writes on when it is not in recovery; {@code sender}: {@code host:port} its WAL receiver streams from.
 */
record ReplicaView(String node, boolean inRecovery, Long receiveLsn, Long replayLsn, Instant lastReplayAt,
                   Instant now, String walReceiverStatus, Long timeline, Optional<String> sender) {
}
