package dev.drpilot.cli;

import picocli.CommandLine;
import picocli.CommandLine.Option;

/** {@code --health-listen [HOST]:PORT|off}: where {@code drpilot detect} answers {@code /healthz} and {@code /readyz}. */
final class HealthListenOption {
    static final String DEFAULT = ":8082";

    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec spec;

    private MetricsListenOption.Address address = new MetricsListenOption.Address("0.0.0.0", 8082);

    @Option(names = "--health-listen", paramLabel = "[HOST]:PORT|off", defaultValue = DEFAULT,
            description = "Where the detectors answer /healthz (the Kafka Streams application is alive) and /readyz (it is RUNNING), "
                    + "for probes (default ${DEFAULT-VALUE}; port 0 picks a free one; off turns it off).")
    void listen(String listen) {
        address = MetricsListenOption.Address.parse(listen, "--health-listen", spec.commandLine());
    }

    MetricsListenOption.Address address() {
        return address;
    }
}
