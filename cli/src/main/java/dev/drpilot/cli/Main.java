package dev.drpilot.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.Set;

/** The single {@code drpilot} command. */
@Command(name = "drpilot",
        mixinStandardHelpOptions = true,
        versionProvider = VersionCommand.Provider.class,
        description = {"drpilot makes a disaster-recovery plan executable: collectors observe replication, backups and health; detectors turn "
                + "observations into alerts and failover commands; actuators deliver the alerts and run failover runbooks. Everything "
                + "in between is a Kafka topic.", ""},
        subcommands = {
                DemoCommand.class,
                RunCommand.class,
                IngestCommand.class,
                DetectCommand.class,
                ActCommand.class,
                AgentCommand.class,
                ConfigCommand.class,
                EmitCommand.class,
                FailoverCli.class,
                SilenceCli.class,
                SwitchoverCommand.class,
                StatusCommand.class,
                RejoinCommand.class,
                RestoreCheckCommand.class,
                RecoveryCommand.class,
                DrillCli.class,
                VersionCommand.class,
                CompletionCommand.class,
                CommandLine.HelpCommand.class},
        footer = {
                "",
                "Start here:",
                "  drpilot demo               the DR plan's scenarios on this machine, narrated",
                "  drpilot run                all-in-one, on an embedded Kafka broker",
                "  drpilot config check FILE  validate a configuration",
                "  drpilot status             each cluster's nodes, targets, open alerts and pauses",
                "",
                "Exit codes: 0 ok, 1 failed while running, 2 invalid configuration or usage."})
public final class Main implements Runnable {
    /** The values of DRPILOT_LOG_FORMAT: the names of logback.xml's appenders. */
    static final Set<String> LOG_FORMATS = Set.of("text", "json");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        // Checked before anything logs: Logback would take an unknown format for an appender it lacks and log nothing.
        String logFormat = System.getenv("DRPILOT_LOG_FORMAT");
        if (logFormat != null && !LOG_FORMATS.contains(logFormat)) {
            System.err.println("drpilot: DRPILOT_LOG_FORMAT is \"" + logFormat + "\": use text (the default) or json");
            System.exit(ExitCodes.INVALID);
        }
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new Main());
        commandLine.setExitCodeExceptionMapper(ExitCodes::forException);
        commandLine.setExecutionExceptionHandler(new ExitCodes.ErrorPrinter());
        commandLine.setParameterExceptionHandler(new UsageErrors());
        commandLine.setExecutionStrategy(UsageErrors::execute);
        // Descriptions are one string per paragraph: picocli wraps them at the terminal's width.
        commandLine.setUsageHelpAutoWidth(true);
        return commandLine;
    }

    @Override
    public void run() {
        // No sub-command: show what there is rather than do something by surprise.
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
