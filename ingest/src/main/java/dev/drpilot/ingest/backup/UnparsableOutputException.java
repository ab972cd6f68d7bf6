package dev.drpilot.ingest.backup;

/** A backup tool printed something that is not the JSON it should print. */
final class UnparsableOutputException extends Exception {
    UnparsableOutputException(String message, Throwable cause) {
        super(message, cause);
    }
}
