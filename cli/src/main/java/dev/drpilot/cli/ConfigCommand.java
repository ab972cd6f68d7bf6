package dev.drpilot.cli;

import dev.drpilot.config.ConfigException;
import dev.drpilot.config.ConfigLoader;
import dev.drpilot.config.ConfigPrinter;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.recovery.RestoreCheckRunner;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;

/** {@code drpilot config check FILE}. */
@Command(name = "config", description = "Work with drpilot configuration files.",
        subcommands = {ConfigCommand.Check.class, CommandLine.HelpCommand.class})
final class ConfigCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "check",
            description = {"Validate a configuration file.", "",
                    "Prints the effective configuration (defaults filled in, secrets masked) and exits 0, or prints every problem, "
                            + "each with the key it is about, and exits 2. Secrets written as ${ENV_VAR} must be set in the environment. "
                            + "A restore check's scratch directory that exists here and is not empty is a problem too."})
    static final class Check implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "FILE", description = "The YAML configuration file, e.g. examples/drpilot.yaml.")
        Path file;

        @Override
        public Integer call() {
            DrpilotConfig config = ConfigLoader.load(file);
            // Run where the restore checks run, it also refuses what would refuse them on this host.
            List<String> hostProblems = RestoreCheckRunner.hostProblems(config);
            if (!hostProblems.isEmpty()) {
                throw new ConfigException(file.toString(), hostProblems);
            }
            spec.commandLine().getOut().println("# " + file + ": valid. Effective configuration:");
            spec.commandLine().getOut().print(ConfigPrinter.toYaml(config));
            spec.commandLine().getOut().flush();
            return ExitCodes.OK;
        }
    }
}
