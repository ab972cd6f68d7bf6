package dev.drpilot.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
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

    /** Read as Kafka itself reads it, from the properties file inside kafka-clients. */
    static String kafkaVersion() {
        try (InputStream in = VersionCommand.class.getResourceAsStream("/kafka/kafka-version.properties")) {
            Properties properties = new Properties();
            if (in != null) {
                properties.load(in);
            }
            return properties.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    static String[] lines() {
        return new String[] {
                "drpilot " + drpilotVersion(),
                "Kafka clients " + kafkaVersion(),
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
