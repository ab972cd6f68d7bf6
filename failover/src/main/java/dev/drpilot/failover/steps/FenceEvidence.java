package dev.drpilot.failover.steps;

import java.util.Arrays;
import java.util.Optional;

/**
 * What a fence step found out about the old primary, recorded as its {@code fenced} attribute: the evidence a promotion is
 * judged on ({@code failover.unreachablePrimary}). A hard fence leaves the old primary unable to take writes by a means no
 * client session can undo (or, for the agent's lease, cannot take writes any more by the agent's promise); the others
 * only say why it does not answer now.
 */
public enum FenceEvidence {
    /** Answered, and was demoted over SQL: {@code standby.signal} written and the server shut down. */
    DEMOTED("demoted", true),
    /** The operator's fence command succeeded. */
    COMMAND("command", true),
    /** The old primary's workload was scaled to no pods. */
    KUBERNETES("kubernetes", true),
    /** Its node agent stopped it (or stopped and started it as a standby) and confirmed it: the reply to a FENCE command. */
    AGENT_STOPPED("agent-stopped", true),
    /** Its agent's lease ran out: the actuator waited {@code LeaseExpiry.readerWait(ttl)} from its read of the newest HOLDING. */
    LEASE_EXPIRED("lease-expired", true),
    /** Its agent, seen holding the lease during the wait, then said it fenced its node (SELF_FENCED) or released the lease. */
    LEASE_GIVEN_UP("lease-given-up", true),
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
