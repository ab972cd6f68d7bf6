package dev.drpilot.detector.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where the CPU went during a window. Everything runs in this JVM, so Java threads are grouped by
 * name: the detector's stream thread(s), the detector's producer I/O thread, the broker (request
 * handlers, network, log, controller ...), the load generator and its producer I/O thread, and
 * the benchmark's own reader. CPU the JVM spends outside Java threads (GC, JIT, RocksDB's native
 * threads) is the process total minus their sum. The machine figure is from /proc/stat: on a
 * shared machine it shows how much of the 2 cores others used.
 */
final class CpuUsage {
    static final String[] GROUPS = {"streams", "streams-io", "broker", "load", "load-io", "bench", "native/gc/jit"};

    /** CPU nanoseconds per thread at one moment, the process total, and the machine's busy/total jiffies. */
    record Snapshot(long nanos, Map<Long, Long> threadCpu, Map<Long, String> names, long processCpu, long machineBusy, long machineTotal) {
    }

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private CpuUsage() {
    }

    static Snapshot snapshot() {
        Map<Long, Long> cpu = new HashMap<>();
        Map<Long, String> names = new HashMap<>();
        for (ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            long time = THREADS.getThreadCpuTime(info.getThreadId());
            if (time >= 0) {
                cpu.put(info.getThreadId(), time);
                names.put(info.getThreadId(), info.getThreadName());
            }
        }
        long process = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
        long[] machine = machine();
        return new Snapshot(System.nanoTime(), cpu, names, process, machine[0], machine[1]);
    }

    /** Cores used per group between two snapshots (CPU seconds per wall second), plus "process" and "machine". */
    static Map<String, Double> between(Snapshot from, Snapshot to) {
        double wall = (to.nanos() - from.nanos()) / 1e9;
        Map<String, Double> cores = new LinkedHashMap<>();
        for (String group : GROUPS) {
            cores.put(group, 0.0);
        }
        double threads = 0;
        for (Map.Entry<Long, Long> thread : to.threadCpu().entrySet()) {
            long used = thread.getValue() - from.threadCpu().getOrDefault(thread.getKey(), 0L);
            double c = used / 1e9 / wall;
            threads += c;
            cores.merge(group(to.names().get(thread.getKey())), c, Double::sum);
        }
        double process = (to.processCpu() - from.processCpu()) / 1e9 / wall;
        cores.put("native/gc/jit", Math.max(0, process - threads));
        cores.put("process", process);
        long total = to.machineTotal() - from.machineTotal();
        cores.put("machine", total <= 0 ? 0 : Runtime.getRuntime().availableProcessors() * (double) (to.machineBusy() - from.machineBusy()) / total);
        return cores;
    }

    static String group(String name) {
        if (name.startsWith("bench-load")) {
            return "load";
        }
        if (name.contains("bench-producer")) {
            return "load-io";
        }
        if (name.startsWith("bench-")) {
            return "bench";
        }
        if (name.contains("StreamThread")) {
            return name.contains("producer") ? "streams-io" : "streams";
        }
        if (name.contains(DetectorBenchmark.APPLICATION_ID)) {
            return "streams-io";
        }
        if (name.contains("kafka-admin-client")) {
            return "bench";
        }
        if (name.equals("main")) {
            return "bench";
        }
        return "broker";
    }

    /** Busy and total jiffies of the whole machine; zeros where /proc/stat is not there. */
    private static long[] machine() {
        try {
            String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            long idle = 0;
            for (int i = 1; i < fields.length; i++) {
                long value = Long.parseLong(fields[i]);
                total += value;
                if (i == 4 || i == 5) {
                    idle += value;
                }
            }
            return new long[] {total - idle, total};
        } catch (IOException | RuntimeException e) {
            return new long[] {0, 0};
        }
    }
}
