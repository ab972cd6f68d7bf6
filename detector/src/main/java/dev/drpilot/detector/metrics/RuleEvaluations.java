package dev.drpilot.detector.metrics;

import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.CumulativeCount;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;

import java.util.Map;

/**
 * Counts the records each rule evaluates, as a Kafka Streams metric of its own ({@value #GROUP} / {@value #NAME}, tag
 * {@code rule}): it then lives and dies with the application's other metrics, shows on JMX, and is summed over tasks
 * and threads for {@code /metrics}. Kafka Streams' per-node {@code process-total} would say the same, but only at
 * the DEBUG recording level, which costs every node of the topology.
 */
public final class RuleEvaluations {
    public static final String GROUP = "drpilot-rule-metrics";
    public static final String NAME = "evaluations-total";

    private RuleEvaluations() {
    }

    /** The rule's processors, each counting what it is given before it evaluates it. */
    public static <K, V, KO, VO> ProcessorSupplier<K, V, KO, VO> counted(String rule, ProcessorSupplier<K, V, KO, VO> rules) {
        return () -> new Counted<>(rule, rules.get());
    }

    private static final class Counted<K, V, KO, VO> implements Processor<K, V, KO, VO> {
        private final String rule;
        private final Processor<K, V, KO, VO> delegate;
        private Sensor evaluations;

        Counted(String rule, Processor<K, V, KO, VO> delegate) {
            this.rule = rule;
            this.delegate = delegate;
        }

        @Override
        public void init(ProcessorContext<KO, VO> context) {
            // One sensor per rule for the whole application: every task of the rule adds to it (Sensor.record is synchronized).
            evaluations = context.metrics().addSensor("drpilot-rule-evaluations-" + rule, Sensor.RecordingLevel.INFO);
            evaluations.add(new MetricName(NAME, GROUP, "Records the rule evaluated", Map.of("rule", rule)), new CumulativeCount());
            delegate.init(context);
        }

        @Override
        public void process(Record<K, V> record) {
            evaluations.record();
            delegate.process(record);
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
