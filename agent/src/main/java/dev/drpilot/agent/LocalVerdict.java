package dev.drpilot.agent;

import java.util.Locale;

/**
 * What the agent concludes about its server from one check, before anyone else could: the postmaster process (from
 * the host) and the answer to a local query. "Down" and "not answering" are told apart because they weigh
 * differently: a postmaster that no longer exists on a host that is up has crashed (or was stopped) — certain, and
 * at once; a postmaster that exists but does not answer may be frozen, overloaded or in a long checkpoint — the same
 * as a failed remote probe, and the blip tolerance applies to it.
 */
enum LocalVerdict {
    /** Answered with its role. */
    UP,
    /** Answered with an error (SQLSTATE): alive, not down. */
    ANSWERED_WITH_ERROR,
    /** The postmaster exists but did not answer within the timeout (frozen, hung, overloaded). */
    NOT_ANSWERING,
    /** No postmaster: the pid file is gone or its process no longer exists. */
    DOWN;

    static LocalVerdict of(Postmaster.Seen postmaster, LocalAnswer answer) {
        if (postmaster.down()) {
            // The process table is the truth: a query that still "answered" came from a dying server.
            return DOWN;
        }
        return switch (answer.kind()) {
            case ROLE -> UP;
            case ERROR -> ANSWERED_WITH_ERROR;
            case NO_ANSWER -> NOT_ANSWERING;
        };
    }

    /** The spelling in an observation's details ({@code agentVerdict}). */
    String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
