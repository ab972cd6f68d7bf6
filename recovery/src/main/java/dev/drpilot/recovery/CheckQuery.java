package dev.drpilot.recovery;

import dev.drpilot.config.RestoreCheckSettings;
import dev.drpilot.events.RestoreCheckQuery;

import java.time.Duration;

/** Runs one configured check query on the restored server and judges its answer. */
final class CheckQuery {

    private CheckQuery() {
    }

    static RestoreCheckQuery run(ScratchServer server, RestoreCheckSettings.Check check, Duration timeout) {
        CommandRunner.Result result = server.query(check.database(), check.sql(), timeout);
        if (!result.succeeded()) {
            return outcome(check, false, result.failure());
        }
        return judge(check, result.output());
    }

    /** psql's unaligned, tuples-only output: the first line is the first row, its first column before any '|'. */
    static RestoreCheckQuery judge(RestoreCheckSettings.Check check, String output) {
        String text = output.strip();
        if (check.expect().isEmpty()) {
            return outcome(check, !text.isEmpty(), text.isEmpty() ? "returned no rows" : "returned rows");
        }
        String first = text.isEmpty() ? "" : text.lines().findFirst().orElse("").split("\\|", -1)[0];
        boolean passed = !text.isEmpty() && first.equals(check.expect().get());
        return outcome(check, passed, text.isEmpty() ? "returned no rows, expected " + check.expect().get()
                : passed ? first : "returned " + first + ", expected " + check.expect().get());
    }

    private static RestoreCheckQuery outcome(RestoreCheckSettings.Check check, boolean passed, String detail) {
        return RestoreCheckQuery.newBuilder().setName(check.name()).setPassed(passed).setDetail(detail).build();
    }
}
