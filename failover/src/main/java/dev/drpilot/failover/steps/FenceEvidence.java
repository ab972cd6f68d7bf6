package dev.drpilot.failover.steps;

import java.util.Arrays;
import java.util.Optional;

/**
 * What a fence step found out about the old primary, recorded as its {@code fenced} attribute: the evidence a promotion is
 * judged on ({@code failover.unreachablePrimary}). A hard fence leaves the old primary unable to take writes by a means no
 * client session can undo; the others only say why it does not answer now. A later proof (the old primary's agent lease
 * has expired) is one more constant here.
 */
public enum FenceEvidence {
    /** Answered, and was demoted over SQL: {@code standby.signal} written and the server shut down. */
    DEMOTED("demoted", true),
    /** The operator's fence command succeeded. */
    COMMAND("command", true),
    /** The old primary's workload was scaled to no pods. */
    KUBERNETES("kubernetes", true),
    /** Did not answer, and its host refused the connection: nothing listens on its port, the server is not running now. */
    PORT_CLOSED("stopped-port-closed", false),
    /** Did not answer at all (timed out, no route): down, or alive behind a partition — nobody can tell from here. */
    SILENT("unreachable", false);

    private final String attribute;
    private final boolean hard;

    FenceEvidence(String attribute, boolean hard) {
        this.attribute = attribute;
        this.hard = hard;
    }

    /** The value of a fence step's {@code fenced} attribute. */
    public String attribute() {
        return attribute;
    }

    /** The old primary cannot take writes whatever happens to it next, short of an operator undoing the fence. */
    public boolean hard() {
        return hard;
    }

    /** The evidence a recorded {@code fenced} attribute names; empty for none or for a value this version does not know. */
    public static Optional<FenceEvidence> of(String attribute) {
        return Arrays.stream(values()).filter(evidence -> evidence.attribute.equals(attribute)).findFirst();
    }
}
