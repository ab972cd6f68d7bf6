package dev.drpilot.detector.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The benchmark's command line.
 *
 * @param rates         offered rates in observations/s; {@link #MAX} = as fast as the detector keeps up
 * @param components    numbers of distinct monitored components (one cluster each)
 * @param seconds       length of the measured (steady) window of each run
 * @param warmup        seconds of load before the window opens (JIT, caches, first commits)
 * @param probeShare    share of observations that belong to an alerting probe cycle (half of those raise or clear an alert)
 * @param streamThreads {@code num.stream.threads} of the detector
 * @param maxLag        in {@code max} runs, the producer pauses while it is this many records ahead of the detector
 * @param instances     detector instances (one application, one consumer group) sharing the partitions, in this JVM
 */
record BenchOptions(List<Integer> rates, List<Integer> components, int seconds, int warmup, double probeShare,
                    int streamThreads, long maxLag, Path outDir, int instances) {
    static final int MAX = 0;

    static final String USAGE = """
            usage: bench/detector [--rates 5000,20000,max] [--components 1000,100000] [--seconds 20] [--warmup 8]
                                  [--probe-share 0.02] [--stream-threads 1] [--max-lag 50000] [--instances 1] [--out DIR]
              --rates          offered observations/s per run; "max" = as fast as the detector consumes
              --components     distinct monitored components (each its own cluster and record key)
              --seconds        measured window per run, after --warmup seconds of the same load
              --probe-share    share of observations on alerting probes (half of them raise or resolve an alert)
              --stream-threads detector stream threads (num.stream.threads)
              --max-lag        in "max" runs, pause the producer while it is this many records ahead of the detector
              --instances      detector instances sharing the work (one application id), all in this JVM
              --out            folder for the result table (default target/bench)
            Every (components, rate) pair is one run on a fresh embedded broker.""";

    static BenchOptions parse(String[] args) {
        List<Integer> rates = List.of(5_000, 20_000, MAX);
        List<Integer> components = List.of(1_000, 100_000);
        int seconds = 20;
        int warmup = 8;
        double probeShare = 0.02;
        int streamThreads = 1;
        long maxLag = 50_000;
        Path outDir = Path.of("target", "bench");
        int instances = 1;
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (option.equals("--help") || option.equals("-h")) {
                throw new UsageException(null);
            }
            if (i + 1 >= args.length) {
                throw new UsageException(option + " needs a value");
            }
            String value = args[++i];
            switch (option) {
                case "--rates" -> rates = rates(value);
                case "--components" -> components = positiveInts(option, value);
                case "--seconds" -> seconds = positiveInt(option, value);
                case "--warmup" -> warmup = nonNegativeInt(option, value);
                case "--probe-share" -> probeShare = share(value);
                case "--stream-threads" -> streamThreads = positiveInt(option, value);
                case "--max-lag" -> maxLag = positiveInt(option, value);
                case "--out" -> outDir = Path.of(value);
                case "--instances" -> instances = positiveInt(option, value);
                default -> throw new UsageException("unknown option " + option);
            }
        }
        return new BenchOptions(rates, components, seconds, warmup, probeShare, streamThreads, maxLag, outDir, instances);
    }

    static String rateLabel(int rate) {
        return rate == MAX ? "max" : Integer.toString(rate);
    }

    private static List<Integer> rates(String value) {
        List<Integer> rates = new ArrayList<>();
        for (String item : value.split(",")) {
            rates.add(item.trim().toLowerCase(Locale.ROOT).equals("max") ? MAX : positiveInt("--rates", item.trim()));
        }
        return List.copyOf(rates);
    }

    private static List<Integer> positiveInts(String option, String value) {
        List<Integer> list = new ArrayList<>();
        for (String item : value.split(",")) {
            list.add(positiveInt(option, item.trim()));
        }
        return List.copyOf(list);
    }

    private static int positiveInt(String option, String value) {
        int n = nonNegativeInt(option, value);
        if (n == 0) {
            throw new UsageException(option + ": must be more than 0, was " + value);
        }
        return n;
    }

    private static int nonNegativeInt(String option, String value) {
        try {
            int n = Integer.parseInt(value.replace("_", "").replace("k", "000"));
            if (n < 0) {
                throw new UsageException(option + ": must not be negative, was " + value);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new UsageException(option + ": not a whole number: " + value);
        }
    }

    private static double share(String value) {
        try {
            double share = Double.parseDouble(value);
            if (share < 0 || share > 1) {
                throw new UsageException("--probe-share: must be between 0 and 1, was " + value);
            }
            return share;
        } catch (NumberFormatException e) {
            throw new UsageException("--probe-share: not a number: " + value);
        }
    }

    /** A bad command line; a null message asks for the usage alone. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }
}
