package dev.drpilot.cli;

import picocli.CommandLine;
import picocli.CommandLine.Option;

/** {@code --metrics-listen [HOST]:PORT|off}: where the actuator serves Prometheus {@code /metrics}, its status page and its probes. */
final class MetricsListenOption {
    static final String DEFAULT = ":9464";

    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec spec;

    private Address address = new Address("0.0.0.0", 9464);

    /** The host ("0.0.0.0" for every interface) and port; port -1 means off. */
    record Address(String host, int port) {
        static final Address OFF = new Address("0.0.0.0", -1);

        boolean off() {
            return port < 0;
        }

        /**
         * Parses {@code [HOST]:PORT|off}; a wrong value is a usage error naming the option, raised
         * while the command line is parsed, before anything starts.
         */
        static Address parse(String listen, String option, CommandLine commandLine) {
            if ("off".equalsIgnoreCase(listen)) {
                return new Address("0.0.0.0", -1);
            }
            int colon = listen.lastIndexOf(':');
            String host = colon <= 0 ? "0.0.0.0" : listen.substring(0, colon);
            String port = colon < 0 ? listen : listen.substring(colon + 1);
            try {
                int number = Integer.parseInt(port);
                if (number < 0 || number > 65535) {
                    throw new NumberFormatException();
                }
                return new Address(host, number);
            } catch (NumberFormatException e) {
                throw new CommandLine.ParameterException(commandLine,
                        "Invalid value '" + listen + "' for option '" + option + "': expected [HOST]:PORT with PORT 0-65535, or off");
            }
        }
    }

    @Option(names = "--metrics-listen", paramLabel = "[HOST]:PORT|off", defaultValue = DEFAULT,
            description = "Where the actuator serves Prometheus /metrics, the status page, and /healthz and /readyz for probes "
                    + "(default ${DEFAULT-VALUE}: every interface, port 9464; port 0 picks a free one; off turns them off).")
    void listen(String listen) {
        address = Address.parse(listen, "--metrics-listen", spec.commandLine());
    }

    Address address() {
        return address;
    }
}
