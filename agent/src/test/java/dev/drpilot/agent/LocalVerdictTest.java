package dev.drpilot.agent;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;

/** Down is a postmaster that no longer exists; a postmaster that exists and does not answer is only not answering. */
class LocalVerdictTest {

    @ParameterizedTest(name = "postmaster {0}, answer {1}: {2}")
    @CsvSource({
            "RUNNING,     ROLE,      UP",
            "RUNNING,     ERROR,     ANSWERED_WITH_ERROR",
            "RUNNING,     NO_ANSWER, NOT_ANSWERING",
            // SIGSTOP: the process is there, so it is not down, whatever the query says.
            "STOPPED,     NO_ANSWER, NOT_ANSWERING",
            "GONE,        NO_ANSWER, DOWN",
            "NO_PID_FILE, NO_ANSWER, DOWN",
            // A query that got through to a dying server does not outweigh the process table.
            "GONE,        ROLE,      DOWN",
    })
    void theVerdictFollowsTheProcessTableFirstAndTheAnswerSecond(Postmaster.Process process, LocalAnswer.Kind kind, LocalVerdict verdict) {
        Postmaster.Seen seen = new Postmaster.Seen(process, process == Postmaster.Process.NO_PID_FILE ? OptionalLong.empty() : OptionalLong.of(4242));
        LocalAnswer answer = switch (kind) {
            case ROLE -> LocalAnswer.role(false, OptionalLong.of(1), 2);
            case ERROR -> LocalAnswer.error("53300", "too many connections", 2);
            case NO_ANSWER -> LocalAnswer.noAnswer("no answer within 1000 ms", 1000);
        };
        assertThat(LocalVerdict.of(seen, answer)).isEqualTo(verdict);
    }
}
