package dev.drpilot.cli;

import dev.drpilot.config.ConfigLoader;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.recovery.drill.DrillReport;
import dev.drpilot.recovery.drill.DrillReportFormat;
import dev.drpilot.recovery.drill.DrillReports;
import dev.drpilot.recovery.drill.DrillService;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code drpilot drill run NAME} and {@code drpilot drill serve}: the DR plan's drills, by hand and on their schedules. */
@Command(name = "drill", mixinStandardHelpOptions = true,
        description = {"Rehearse the DR plan (drills.plans in the configuration).", "",
                "A drill is a switchover to a replica and back through the failover actuator with writes going on, a restore check, "
                        + "or a failover in dry-run through the real runbook. Each run is recorded on drpilot.actions and leaves a report "
                        + "(JSON and Markdown) in drills.reportDirectory."},
        subcommands = {DrillCli.Run.class, DrillCli.Serve.class})
final class DrillCli implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = {"Run one drill now, print its report and write it to drills.reportDirectory.", "",
                    "Exits 0 when the drill passed, 1 when it failed or was refused (a paused cluster, an open incident), "
                            + "2 on invalid configuration or usage."})
    static final class Run implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "NAME", description = "A drill of drills.plans.")
        String name;

        @Option(names = {"-c", "--config"}, paramLabel = "FILE", required = true, description = "The configuration.")
        Path configFile;

        @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT", description = "Kafka cluster; overrides kafka.bootstrapServers.")
        String bootstrapServers;

        @Override
        public Integer call() throws Exception {
            DrpilotConfig config = ConfigLoader.load(configFile);
            if (config.drills().plan(name).isEmpty()) {
                List<String> names = config.drills().plans().stream().map(plan -> plan.name()).toList();
                throw new UsageException("NAME: no drill named \"" + name + "\" in " + configFile
                        + (names.isEmpty() ? " (drills.plans is empty)" : " (drills: " + String.join(", ", names) + ")"));
            }
            PrintWriter out = spec.commandLine().getOut();
            try (KafkaConnection kafka = KafkaConnection.open(config.kafka(), bootstrapServers, false, null, "drill")) {
                kafka.ensureTopics(DrillService.TOPICS);
                try (DrillWiring wiring = new DrillWiring(config, kafka.clientProperties(), Clock.systemUTC())) {
                    DrillReport report = wiring.runner().run(name);
                    DrillReports.Written written = wiring.reports().write(report);
                    out.print(DrillReportFormat.markdown(report));
                    out.printf("%nreport: %s%n        %s%n", written.markdown(), written.json());
                    out.flush();
                    return report.outcome() == DrillReport.Outcome.PASSED ? ExitCodes.OK : ExitCodes.FAILED;
                }
            }
        }
    }

    @Command(name = "serve", mixinStandardHelpOptions = true,
            description = {"Run the drills that have a schedule (drills.plans[].schedule) when they are due.", "",
                    "One at a time, each writing its report. A drill refused (its cluster paused, an incident open) runs again at its "
                            + "next time. Needs kafka.bootstrapServers in the configuration or --bootstrap-servers."})
    static final class Serve extends ServiceCommand {
        @CommandLine.Mixin
        ServiceListenOptions.Drills metrics = new ServiceListenOptions.Drills();

        @Override
        List<ServiceDefinition> services() {
            return List.of(Services.drills(metrics.address()));
        }
    }
}
