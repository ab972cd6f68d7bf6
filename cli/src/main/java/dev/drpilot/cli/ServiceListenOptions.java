package dev.drpilot.cli;

import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * {@code --metrics-listen [HOST]:PORT|off} of the services that run alone besides the actuator ({@link MetricsListenOption}):
 * where they serve Prometheus {@code /metrics} and {@code /healthz} / {@code /readyz} for probes. Each its own default
 * port, so that all of them can run on one host.
 */
final class ServiceListenOptions {
    private ServiceListenOptions() {
    }

    /** The parsed address and its parsing; each subclass declares the option with its own default and description. */
    abstract static class Listen {
        @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
        CommandLine.Model.CommandSpec spec;

        private MetricsListenOption.Address address;

        Listen(int defaultPort) {
            address = new MetricsListenOption.Address("0.0.0.0", defaultPort);
        }

        void set(String listen, String option) {
            address = MetricsListenOption.Address.parse(listen, option, spec.commandLine());
        }

        MetricsListenOption.Address address() {
            return address;
        }
    }

    /** {@code drpilot detect}: port 8082, where its probes always were ({@code --health-listen} still works). */
    static final class Detect extends Listen {
        Detect() {
            super(8082);
        }

        @Option(names = "--metrics-listen", paramLabel = "[HOST]:PORT|off", defaultValue = ":8082",
                description = "Where the detectors serve Prometheus /metrics (Kafka Streams, rules, dead letters), /healthz (the "
                        + "Kafka Streams application has not failed or stopped) and /readyz (it is RUNNING) (default ${DEFAULT-VALUE}; "
                        + "port 0 picks a free one; off turns them off).")
        void listen(String listen) {
            set(listen, "--metrics-listen");
        }

        /** The option's name before /metrics came beside the probes; kept for existing deployments. */
        @Option(names = "--health-listen", paramLabel = "[HOST]:PORT|off", hidden = true)
        void healthListen(String listen) {
            set(listen, "--health-listen");
        }
    }

    /** {@code drpilot ingest}: port 8083 (the ingest API has 8081). */
    static final class Ingest extends Listen {
        Ingest() {
            super(8083);
        }

        @Option(names = "--metrics-listen", paramLabel = "[HOST]:PORT|off", defaultValue = ":8083",
                description = "Where the collectors serve Prometheus /metrics (probes, heartbeat, ingest API, records published), "
                        + "/healthz (every collector loop alive) and /readyz (default ${DEFAULT-VALUE}; port 0 picks a free one; "
                        + "off turns them off).")
        void listen(String listen) {
            set(listen, "--metrics-listen");
        }
    }

    /** {@code drpilot recovery}: port 8085 (the agent has 8084). */
    static final class Recovery extends Listen {
        Recovery() {
            super(8085);
        }

        @Option(names = "--metrics-listen", paramLabel = "[HOST]:PORT|off", defaultValue = ":8085",
                description = "Where the restore-check scheduler serves Prometheus /metrics (the JVM's), /healthz (its schedule thread "
                        + "alive) and /readyz (default ${DEFAULT-VALUE}; port 0 picks a free one; off turns them off).")
        void listen(String listen) {
            set(listen, "--metrics-listen");
        }
    }

    /** {@code drpilot drill serve}: port 8086. */
    static final class Drills extends Listen {
        Drills() {
            super(8086);
        }

        @Option(names = "--metrics-listen", paramLabel = "[HOST]:PORT|off", defaultValue = ":8086",
                description = "Where the drill scheduler serves Prometheus /metrics (the JVM's), /healthz (its schedule thread alive) "
                        + "and /readyz (default ${DEFAULT-VALUE}; port 0 picks a free one; off turns them off).")
        void listen(String listen) {
            set(listen, "--metrics-listen");
        }
    }
}
