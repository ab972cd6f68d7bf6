package dev.drpilot.failover.steps;

import dev.drpilot.failover.FailoverContext;

/** The entity a step's log lines are about: {@code [incident=i-42 step=repoint method=route53]}. */
final class LogPrefix {
    private LogPrefix() {
    }

    static String of(FailoverContext context, String step, String method) {
        return "[incident=" + context.incidentId() + " cluster=" + context.cluster().name() + " step=" + step + " method=" + method + "]";
    }
}
