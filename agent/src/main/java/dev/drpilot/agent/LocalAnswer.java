package dev.drpilot.agent;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * What the local server said to the agent's query: its role (and timeline), an error it answered with (a SQLSTATE:
 * alive), or nothing within the timeout.
 */
record LocalAnswer(Kind kind, Lease.Role role, OptionalLong timeline, Optional<String> sqlState, Optional<String> error, long latencyMillis) {
    enum Kind { ROLE, ERROR, NO_ANSWER }

    static LocalAnswer role(boolean inRecovery, OptionalLong timeline, long latencyMillis) {
        return new LocalAnswer(Kind.ROLE, inRecovery ? Lease.Role.STANDBY : Lease.Role.PRIMARY, timeline, Optional.empty(),
                Optional.empty(), latencyMillis);
    }

    static LocalAnswer error(String sqlState, String message, long latencyMillis) {
        return new LocalAnswer(Kind.ERROR, Lease.Role.UNKNOWN, OptionalLong.empty(), Optional.of(sqlState), Optional.of(message), latencyMillis);
    }

    static LocalAnswer noAnswer(String why, long latencyMillis) {
        return new LocalAnswer(Kind.NO_ANSWER, Lease.Role.UNKNOWN, OptionalLong.empty(), Optional.empty(), Optional.of(why), latencyMillis);
    }

    boolean answered() {
        return kind != Kind.NO_ANSWER;
    }
}
