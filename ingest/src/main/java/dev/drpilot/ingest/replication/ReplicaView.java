package dev.drpilot.ingest.replication;

import java.time.Instant;

/**
 * What a replica says about itself. {@code now} is the replica's own clock, so that
 * {@code now - lastReplayAt} involves one clock only.
 */
record ReplicaView(String node, boolean inRecovery, Long receiveLsn, Long replayLsn, Instant lastReplayAt,
                   Instant now, String walReceiverStatus) {
}
