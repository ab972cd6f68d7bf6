package dev.drpilot.cli;

/** The command cannot run as asked; the message says what to change. */
final class UsageException extends RuntimeException {
    UsageException(String message) {
        super(message);
    }
}
