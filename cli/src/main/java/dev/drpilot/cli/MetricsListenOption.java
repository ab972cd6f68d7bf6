package dev.drpilot.cli;

import picocli.CommandLine;
import picocli.CommandLine.Option;

/** {@code --metrics-listen}: where the actuator serves Prometheus {@code /metrics}. */
final class MetricsListenOption {
    static final String DEFAULT = ":9464";

    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec spec;

    private Address address = new Address("0.0.0.0", 9464);

    /** The host ("0.0.0.0" for every interface) and port; port -1 means off. */
    record Address(String host, int port) {
    }

    // Parsed while the command line is, so a wrong value is a usage error before anything starts.
    @Option(names = "--metrics-listen", paramLabel = "[HOST]:PORT|off", defaultValue = DEFAULT,
            description = {"Where the actuator serves Prometheus /metrics (default ${DEFAULT-VALUE}: every interface, port 9464;",
                    "port 0 picks a free one; off turns it off)."})
    void listen(String listen) {
        if ("off".equalsIgnoreCase(listen)) {
            address = new Address("0.0.0.0", -1);
            return;
        }
        int colon = listen.lastIndexOf(':');
        String host = colon <= 0 ? "0.0.0.0" : listen.substring(0, colon);
        String port = colon < 0 ? listen : listen.substring(colon + 1);
        try {
            int number = Integer.parseInt(port);
            if (number < 0 || number > 65535) {
                throw new NumberFormatException();
            }
            address = new Address(host, number);
        } catch (NumberFormatException e) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "Invalid value '" + listen + "' for option '--metrics-listen': expected [HOST]:PORT with PORT 0-65535, or off");
        }
    }

    Address address() {
        return address;
    }
}
