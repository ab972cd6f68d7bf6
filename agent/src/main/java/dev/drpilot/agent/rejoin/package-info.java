/**
 * Rejoin: turns a stopped old primary into a streaming replica of the new primary, on the old primary's host —
 * {@code pg_rewind} when it can, a fresh {@code pg_basebackup} (the old data directory kept aside) when it cannot —
 * and reports what the rewind discarded: the writes the old primary took that no replica had. Entry point:
 * {@link dev.drpilot.agent.rejoin.Rejoin}; its result, {@link dev.drpilot.agent.rejoin.RejoinReport}, becomes an
 * ActionRecord through {@link dev.drpilot.agent.rejoin.RejoinActions}. See {@code agent/DESIGN.md}.
 */
package dev.drpilot.agent.rejoin;
