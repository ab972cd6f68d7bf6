package dev.drpilot.detector.bench;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.TreeMap;

/**
 * How the work divides between detector instances in this JVM: each stream thread's
 * {@code process-total} (Kafka Streams' JMX metric), summed per instance (the client id in the
 * thread id, {@code <client>-StreamThread-<n>}).
 */
final class InstanceShares {
    private InstanceShares() {
    }

    static Map<String, Double> processed() {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        Map<String, Double> byInstance = new TreeMap<>();
        try {
            for (ObjectName name : server.queryNames(new ObjectName("kafka.streams:type=stream-thread-metrics,*"), null)) {
                String thread = name.getKeyProperty("thread-id");
                Object total;
                try {
                    total = server.getAttribute(name, "process-total");
                } catch (javax.management.AttributeNotFoundException notAProcessingThread) {
                    continue;   // e.g. the state updater's thread: it restores, it does not process
                }
                String instance = thread.replaceAll("-StreamThread-\\d+$", "");
                byInstance.merge(instance.substring(Math.max(0, instance.length() - 8)), ((Number) total).doubleValue(), Double::sum);
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the stream threads' process-total over JMX", e);
        }
        return byInstance;
    }

    /** Records per instance between two readings, and each one's share of the total. */
    static String between(Map<String, Double> from, Map<String, Double> to) {
        double all = to.entrySet().stream().mapToDouble(e -> e.getValue() - from.getOrDefault(e.getKey(), 0.0)).sum();
        StringBuilder out = new StringBuilder();
        to.forEach((instance, total) -> {
            double records = total - from.getOrDefault(instance, 0.0);
            out.append(String.format("%s…: %,.0f (%.0f %%)  ", instance, records, all == 0 ? 0 : 100 * records / all));
        });
        return out.toString().trim();
    }
}
