package dev.drpilot.failover.steps;

import dev.drpilot.failover.StepFailedException;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * Kubernetes API errors as step failures. The fabric8 client has already retried connection
 * errors and 5xx answers with its own bounded backoff by the time one reaches here, so every
 * error left is final for this run of the step.
 */
final class KubernetesErrors {
    private KubernetesErrors() {
    }

    static StepFailedException failed(String action, KubernetesClientException e) {
        String message = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : e.getMessage();
        String hint = switch (e.getCode()) {
            case 401, 403 -> " (check the RBAC Role of drpilot's service account, see docs/failover-steps.md)";
            case 409, 422 -> " (it was changed by someone else meanwhile; look at it before running the step again)";
            default -> "";
        };
        String code = e.getCode() > 0 ? "HTTP " + e.getCode() + ": " : "";
        return new StepFailedException(action + " failed: " + code + message + hint, e);
    }
}
