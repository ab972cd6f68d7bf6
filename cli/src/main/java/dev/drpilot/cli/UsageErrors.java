package dev.drpilot.cli;

import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

import java.io.PrintWriter;
import java.util.List;

/**
 * A usage error is one line on stderr and exit 2, as git and kubectl do it: what was wrong (for an unknown command, its
 * closest match) and where to read more. The whole usage glued under the error hid the error.
 */
final class UsageErrors implements CommandLine.IParameterExceptionHandler {

    @Override
    public int handleParseException(ParameterException error, String[] args) {
        CommandLine command = error.getCommandLine();
        PrintWriter err = command.getErr();
        err.println(message(error));
        err.flush();
        return ExitCodes.INVALID;
    }

    static String message(ParameterException error) {
        CommandLine command = error.getCommandLine();
        String name = command.getCommandSpec().qualifiedName();
        if (error instanceof UnmatchedArgumentException unmatched && !command.getSubcommands().isEmpty()
                && !unmatched.getUnmatched().isEmpty() && !unmatched.getUnmatched().get(0).startsWith("-")) {
            String word = unmatched.getUnmatched().get(0);
            List<String> suggestions = unmatched.getSuggestions();
            return name + ": '" + word + "' is not a " + name + " command; " + (suggestions.isEmpty()
                    ? "see '" + name + " --help'"
                    : "did you mean '" + name + " " + suggestions.get(0) + "'?");
        }
        return name + ": " + error.getMessage() + " (see '" + name + " --help')";
    }

    /**
     * Runs the last sub-command, as picocli does by default, but only when every word was understood: picocli lets
     * {@code --help} excuse unmatched words, so {@code drpilot foo --help} printed the top-level help and exited 0.
     */
    static int execute(ParseResult parseResult) {
        for (ParseResult level = parseResult; level != null; level = level.subcommand()) {
            if (!level.unmatched().isEmpty()) {
                throw new UnmatchedArgumentException(level.commandSpec().commandLine(), level.unmatched());
            }
        }
        return new CommandLine.RunLast().execute(parseResult);
    }
}
