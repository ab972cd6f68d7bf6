package dev.drpilot.cli;

import org.apache.kafka.common.utils.AppInfoParser;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code drpilot version}: what is running, for bug reports and upgrades. */
@Command(name = "version", description = "Print the drpilot, Kafka and Java versions.")
final class VersionCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    static String drpilotVersion() {
        String version = VersionCommand.class.getPackage().getImplementationVersion();
        return version == null ? "development build" : version;
    }

    static String[] lines() {
        return new String[] {
                "drpilot " + drpilotVersion(),
                "Kafka clients " + AppInfoParser.getVersion(),
                "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")"};
    }

    @Override
    public void run() {
        for (String line : lines()) {
            spec.commandLine().getOut().println(line);
        }
    }

    static final class Provider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return lines();
        }
    }
}
