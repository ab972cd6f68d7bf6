package dev.drpilot.failover.steps;

import dev.drpilot.failover.StepFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkServiceException;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * Runs one AWS API call with bounded retries: throttling, 5xx and network errors are retried
 * (backoff 1 s to 5 s, at most {@value #MAX_RETRIES} retries, never past the step's deadline),
 * anything else AWS answers is fatal and becomes a {@link StepFailedException} carrying AWS's
 * error code and message. The clients built by {@link CloudSteps} have the SDK's own retries off,
 * so these are the only retries and every one of them is logged.
 */
final class AwsCalls {
    private static final Logger log = LoggerFactory.getLogger(AwsCalls.class);
    static final int MAX_RETRIES = 4;

    private final Backoff backoff;
    private final Deadline deadline;
    private final String prefix;

    AwsCalls(Backoff backoff, Deadline deadline, String prefix) {
        this.backoff = backoff;
        this.deadline = deadline;
        this.prefix = prefix;
    }

    <T> T call(String operation, Supplier<T> call) throws StepFailedException, InterruptedException {
        for (int retry = 1; ; retry++) {
            try {
                return call.get();
            } catch (AwsServiceException e) {
                if (!isRetriable(e)) {
                    throw new StepFailedException(operation + " failed: " + describe(e), e);
                }
                pauseOrGiveUp(operation, describe(e), retry, e);
            } catch (SdkClientException e) {
                // No answer from AWS (connection refused, reset, timed out): the call may be repeated,
                // the operations used here are idempotent (UPSERT, promote of an already promoting replica).
                pauseOrGiveUp(operation, e.getMessage(), retry, e);
            }
        }
    }

    static boolean isRetriable(SdkServiceException e) {
        return e.isThrottlingException() || e.statusCode() >= 500 || e.statusCode() == 429;
    }

    /** {@code Throttling (400): Rate exceeded}. */
    static String describe(AwsServiceException e) {
        if (e.awsErrorDetails() == null) {
            return e.getMessage();
        }
        return e.awsErrorDetails().errorCode() + " (" + e.statusCode() + "): " + e.awsErrorDetails().errorMessage();
    }

    private void pauseOrGiveUp(String operation, String error, int retry, RuntimeException cause) throws StepFailedException, InterruptedException {
        Duration pause = backoff.delay(retry);
        if (retry > MAX_RETRIES || !deadline.allows(pause)) {
            throw new StepFailedException(operation + " failed after " + (retry - 1) + " retries: " + error, cause);
        }
        log.warn("{} {} failed: {}; retry {} of {} in {} ms", prefix, operation, error, retry, MAX_RETRIES, pause.toMillis());
        Deadline.sleep(pause);
    }
}
