package dev.drpilot.detector.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One run's figures over its steady window.
 *
 * @param offered       target rate (0 = max)
 * @param sentRate      records the load generator actually sent per second in the window
 * @param medianRate    median of the per-second processing rates (committed input offsets)
 * @param meanRate      committed records in the window divided by its length
 * @param minRate       lowest per-second processing rate
 * @param lagAtEnd      input records not yet committed by the detector at the end of the window
 * @param changelogRate changelog records written per input record processed
 * @param cores         CPU cores used per thread group, process and machine
 */
record RunResult(int offered, int components, double sentRate, double medianRate, double meanRate, double minRate, long lagAtEnd,
                 double changelogRate, AlertLatencies.Stats latency, Map<String, Double> cores, long sendErrors, long unmatched) {

    static RunResult of(int offered, int components, List<ConsumerProgress.Sample> samples, long nanosFrom, long nanosTo,
                        AlertLatencies.Stats latency, Map<String, Double> cores, long sendErrors, long unmatched) {
        List<ConsumerProgress.Sample> window = samples.stream().filter(s -> s.nanos() >= nanosFrom && s.nanos() <= nanosTo).toList();
        if (window.size() < 2) {
            throw new IllegalStateException("fewer than 2 progress samples in the window: is the broker answering?");
        }
        List<Double> perSecond = new ArrayList<>();
        for (int i = 1; i < window.size(); i++) {
            double seconds = (window.get(i).nanos() - window.get(i - 1).nanos()) / 1e9;
            perSecond.add((window.get(i).committed() - window.get(i - 1).committed()) / seconds);
        }
        ConsumerProgress.Sample first = window.get(0);
        ConsumerProgress.Sample last = window.get(window.size() - 1);
        double span = (last.nanos() - first.nanos()) / 1e9;
        double[] rates = perSecond.stream().mapToDouble(Double::doubleValue).toArray();
        long processed = last.committed() - first.committed();
        return new RunResult(offered, components, (last.sent() - first.sent()) / span,
                AlertLatencies.median(rates), processed / span,
                perSecond.stream().mapToDouble(Double::doubleValue).min().orElse(0), last.inputEnd() - last.committed(),
                processed == 0 ? 0 : (last.changelogEnd() - first.changelogEnd()) / (double) processed,
                latency, cores, sendErrors, unmatched);
    }

    static String header() {
        return String.format("%-7s %8s %9s %9s %9s %9s %9s | %-22s %5s %6s %4s | %5s %5s %5s %5s %5s %5s %5s",
                "offered", "comps", "sent/s", "median/s", "mean/s", "min/s", "lag@end", "visible p50/p90/p99/max", "app50", "alerts",
                "miss", "strm", "s-io", "brkr", "load", "l-io", "n/gc", "mach");
    }

    String row() {
        return String.format("%-7s %8d %9.0f %9.0f %9.0f %9.0f %9d | %-22s %5s %6d %4d | %5.2f %5.2f %5.2f %5.2f %5.2f %5.2f %5.2f",
                BenchOptions.rateLabel(offered), components, sentRate, medianRate, meanRate, minRate, lagAtEnd,
                latency.visible(), AlertLatencies.Stats.format(latency.appendP50()), latency.count(), latency.missing(),
                core("streams"), core("streams-io"), core("broker"), core("load"), core("load-io"), core("native/gc/jit"), core("machine"));
    }

    String detail() {
        return String.format("sent %.0f/s, processed median %.0f/s (mean %.0f, min %.0f), lag at end %d, changelog records per input %.2f;%n"
                        + "alert latency visible p50/p90/p99/max %s ms, append p50 %s p99 %s ms, %d alerts, %d missing, %d unmatched;%n"
                        + "cores %s; send errors %d",
                sentRate, medianRate, meanRate, minRate, lagAtEnd, changelogRate, latency.visible(),
                AlertLatencies.Stats.format(latency.appendP50()), AlertLatencies.Stats.format(latency.appendP99()),
                latency.count(), latency.missing(), unmatched, formatCores(), sendErrors);
    }

    private double core(String group) {
        return cores.getOrDefault(group, 0.0);
    }

    private String formatCores() {
        StringBuilder out = new StringBuilder();
        cores.forEach((group, value) -> out.append(out.length() == 0 ? "" : ", ").append(group).append(' ').append(String.format("%.2f", value)));
        return out.toString();
    }

    static String legend() {
        return """
                offered: target observations/s ("max": as fast as the detector consumes, at most --max-lag ahead)
                sent/s: what the load generator sent; median/s, mean/s, min/s: input records the detector processed
                  and committed per second (committed offsets of its group, sampled each second; median and minimum
                  of the per-second rates over the window); lag@end: input records not yet committed at the window's end
                visible: ms from the triggering observation's send to its alert's receipt by a read_committed consumer
                  (includes the exactly-once commit, interval 200 ms); app50: median ms to the alert's broker append time
                alerts: alerts matched to observations sent in the window; miss: those whose alert had not arrived 10 s
                  after the window; they rank above every arrived one ("late" where a percentile falls on them)
                cores used (CPU s per s): strm detector stream thread(s), s-io detector producer/heartbeat threads,
                  brkr embedded broker (and other JVM threads), load the load generator (Avro serialization, send),
                  l-io its producer I/O thread, n/gc JVM threads outside Java (GC, JIT, RocksDB), mach the whole machine
                """;
    }
}
