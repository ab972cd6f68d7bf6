package dev.drpilot.agent.rejoin;

/**
 * What a rejoin needs: the local node, the new primary, whether a fresh base backup may replace the data directory
 * when pg_rewind cannot be used or fails (the old directory is kept aside, never deleted), and the time bounds.
 */
public record RejoinSettings(LocalNode local, SourceServer source, boolean allowBaseBackup, RejoinTimeouts timeouts) {

    public RejoinSettings {
        LocalNode.require(local != null, "rejoin.local must be given");
        LocalNode.require(source != null, "rejoin.source must be given");
        LocalNode.require(timeouts != null, "rejoin.timeouts must be given");
    }
}
