package dev.drpilot.recovery.drill;

import java.util.Optional;

/** A step that did not pass: failed (tried, and it went wrong) or refused (not tried, it was not safe), and what to fix. */
final class DrillStepException extends Exception {
    private final DrillStep.Status status;
    private final Optional<String> fix;

    private DrillStepException(DrillStep.Status status, String detail, String fix) {
        super(detail);
        this.status = status;
        this.fix = Optional.ofNullable(fix);
    }

    static DrillStepException failed(String detail, String fix) {
        return new DrillStepException(DrillStep.Status.FAILED, detail, fix);
    }

    static DrillStepException refused(String detail, String fix) {
        return new DrillStepException(DrillStep.Status.REFUSED, detail, fix);
    }

    DrillStep.Status status() {
        return status;
    }

    Optional<String> fix() {
        return fix;
    }
}
