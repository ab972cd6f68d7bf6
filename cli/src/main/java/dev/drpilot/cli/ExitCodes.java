package dev.drpilot.cli;

import dev.drpilot.config.ConfigException;
import picocli.CommandLine;

/** How failures become exit codes and messages: a user reads the message, scripts read the code. */
final class ExitCodes {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int INVALID = 2;

    private ExitCodes() {
    }

    static int forException(Throwable error) {
        return error instanceof ConfigException || error instanceof UsageException || error instanceof CommandLine.ParameterException
                ? INVALID : FAILED;
    }

    /** Prints what went wrong without a stack trace for the errors a user can fix from the message. */
    static final class ErrorPrinter implements CommandLine.IExecutionExceptionHandler {
        @Override
        public int handleExecutionException(Exception error, CommandLine commandLine, CommandLine.ParseResult parseResult) {
            var err = commandLine.getErr();
            if (error instanceof ConfigException config) {
                err.println(config.getMessage());
            } else if (error instanceof UsageException usage) {
                err.println("drpilot " + commandLine.getCommandName() + ": " + usage.getMessage());
            } else {
                err.println("drpilot " + commandLine.getCommandName() + " failed: " + error.getMessage());
                error.printStackTrace(err);
            }
            err.flush();
            return forException(error);
        }
    }
}
