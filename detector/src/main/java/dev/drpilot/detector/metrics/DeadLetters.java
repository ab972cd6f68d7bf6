package dev.drpilot.detector.metrics;

import org.apache.kafka.streams.errors.ErrorHandlerContext;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The records the detectors skipped and copied to the dead-letter topic, counted by why: the stage (a record that
 * could not be read, or one a rule failed on), the processor node (the source topic, or the rule) and the exception.
 * Kafka Streams' own {@code dropped-records-total} counts them too, but only per task and without a reason.
 *
 * <p>The exception handlers are instantiated by Kafka Streams from their class name; they find this object in the
 * configuration they are given, under {@link #CONFIG}.
 */
public final class DeadLetters {
    /** The key of the Streams configuration that carries the instance to the exception handlers. */
    public static final String CONFIG = "drpilot.dead.letters";

    /** Why a record was dead-lettered. */
    public record Reason(String stage, String node, String exception) implements Comparable<Reason> {
        @Override
        public int compareTo(Reason other) {
            return (stage + "/" + node + "/" + exception).compareTo(other.stage + "/" + other.node + "/" + other.exception);
        }
    }

    private final Map<Reason, LongAdder> counts = new ConcurrentHashMap<>();

    void count(String stage, ErrorHandlerContext context, Exception exception) {
        String node = context == null || context.processorNodeId() == null ? "" : context.processorNodeId();
        counts.computeIfAbsent(new Reason(stage, node, exception.getClass().getSimpleName()), reason -> new LongAdder()).increment();
    }

    /** Every reason seen so far, with its count. */
    public Map<Reason, Long> counts() {
        Map<Reason, Long> copy = new TreeMap<>();
        counts.forEach((reason, count) -> copy.put(reason, count.sum()));
        return copy;
    }

    static DeadLetters from(Map<String, ?> configs) {
        return configs.get(CONFIG) instanceof DeadLetters deadLetters ? deadLetters : new DeadLetters();
    }
}
