package dev.drpilot.agent.failsafe;

import dev.drpilot.events.LeaseState;

/** The newest lease record of the cluster an agent has read from drpilot.agent.leases: whose, and in which state. */
public record LeaseSeen(String node, LeaseState state) {
}
