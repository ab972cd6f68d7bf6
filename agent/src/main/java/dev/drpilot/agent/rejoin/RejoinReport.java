package dev.drpilot.agent.rejoin;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What a rejoin did, for the record on drpilot.actions: the checks and their verdicts, the method, where the old
 * primary diverged, what it wrote that no replica had (and was discarded), where a replaced data directory went,
 * how long each phase took, whether the node streams from the new primary, and every error met on the way.
 */
public record RejoinReport(String node, String source, Outcome outcome, Method method, List<Check> checks,
                           Optional<Divergence> divergence, Optional<DiscardedWrites> discarded, Optional<KeptAside> keptAside,
                           List<PhaseTiming> phases, Optional<Streaming> streaming, List<RejoinError> errors,
                           Optional<String> whatToDo, Instant startedAt, Instant finishedAt) {

    public enum Outcome { SUCCEEDED, REFUSED, FAILED }

    public enum Method {
        /** Nothing was changed. */
        NONE,
        REWIND,
        BASE_BACKUP
    }

    /** A precondition or cross-check, by name, with what was seen. */
    public record Check(String name, boolean passed, String detail) {
        @Override
        public String toString() {
            return (passed ? "ok   " : "FAIL ") + name + ": " + detail;
        }
    }

    /** The old primary left the new primary's lineage at {@code lsn} on {@code timeline}; the new one is on {@code sourceTimeline}. */
    public record Divergence(Lsn lsn, int timeline, int sourceTimeline) {
    }

    /** The data directory a base backup replaced, kept under {@code path}. */
    public record KeptAside(Path path, long bytes) {
    }

    public record PhaseTiming(String phase, Duration took) {
        @Override
        public String toString() {
            return phase + " " + took.toMillis() + " ms";
        }
    }

    /** Both ends agree the node streams: its WAL receiver and the new primary's pg_stat_replication. */
    public record Streaming(String receiverStatus, String sender, String replicationState) {
    }

    /**
     * An error and whether trying again may help ({@code retriable}: a server not answering, a timeout) or needs a
     * person first (a wrong source, a failed rewind).
     */
    public record RejoinError(String phase, String message, boolean retriable) {
        @Override
        public String toString() {
            return phase + (retriable ? " (retriable)" : " (fatal)") + ": " + message;
        }
    }

    public RejoinReport {
        checks = List.copyOf(checks);
        phases = List.copyOf(phases);
        errors = List.copyOf(errors);
    }

    /** True when every error met can be retried (and there was one): a later attempt may succeed as it is. */
    public boolean retriable() {
        return !errors.isEmpty() && errors.stream().allMatch(RejoinError::retriable);
    }

    /** The report in words, as the record's detail and the command's output. */
    public String describe() {
        List<String> lines = new ArrayList<>();
        lines.add("rejoin of " + node + " onto " + source + ": " + outcome + (method == Method.NONE ? "" : " (" + method.name().toLowerCase().replace('_', ' ') + ")"));
        whatToDo.ifPresent(text -> lines.add("what to do: " + text));
        divergence.ifPresent(d -> lines.add("diverged at " + d.lsn() + " on timeline " + d.timeline() + " (new primary on timeline " + d.sourceTimeline() + ")"));
        discarded.ifPresent(d -> lines.addAll(describe(d)));
        keptAside.ifPresent(k -> lines.add("old data directory kept at " + k.path() + " (" + k.bytes() + " bytes)"));
        streaming.ifPresent(s -> lines.add("streaming from " + s.sender() + " (receiver " + s.receiverStatus() + ", new primary sees " + s.replicationState() + ")"));
        if (!phases.isEmpty()) {
            lines.add("phases: " + phases.stream().map(PhaseTiming::toString).collect(Collectors.joining(", ")));
        }
        checks.forEach(check -> lines.add("check " + check));
        errors.forEach(error -> lines.add("error " + error));
        return String.join("\n", lines);
    }

    private static List<String> describe(DiscardedWrites discarded) {
        List<String> lines = new ArrayList<>();
        if (discarded.unreadable().isPresent()) {
            lines.add("discarded WAL from " + discarded.from() + ": could not be read (" + discarded.unreadable().get() + ")");
        } else if (discarded.nothing()) {
            lines.add("discarded: nothing (the old primary wrote nothing after the divergence point)");
        } else {
            lines.add("discarded WAL " + discarded.from() + " .. " + discarded.to() + " (" + discarded.bytes() + " bytes): the writes the old primary took that no replica had: "
                    + discarded.committedTransactions() + " committed transaction(s)"
                    + (discarded.uncommittedChanges() > 0 ? ", " + discarded.uncommittedChanges() + " change(s) never committed" : ""));
            discarded.relations().forEach(relation -> lines.add("  " + relation));
        }
        return lines;
    }
}
