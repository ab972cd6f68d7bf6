package dev.drpilot.recovery.drill;

import java.util.Optional;

/**
 * The operators' control topic as a drill needs it. The failover actuator owns that topic's records (pauses, orders),
 * so the wiring ({@code drpilot drill}) implements this with the actuator's own reader and writer; this module may not
 * depend on the failover module.
 */
public interface OperatorChannel {

    /**
     * The cluster's pause in words, if it is paused; an unreadable newest pause counts as a pause.
     *
     * @throws Exception the control topic could not be read whole
     */
    Optional<String> pause(String cluster) throws Exception;

    /**
     * The order that makes the actuator carry out the switchover of {@code incidentId}, written (and acknowledged)
     * before its command.
     */
    void order(String incidentId, String cluster, String detail) throws Exception;
}
