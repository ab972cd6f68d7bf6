package dev.drpilot.agent.rejoin;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CommandRunnerTest {
    private final CommandRunner shell = new CommandRunner(Path.of("/bin"), Optional.empty());

    @Test
    void keepsStandardOutputAndStandardErrorApart() {
        CommandRunner.Result result = shell.pg(Duration.ofSeconds(10), "sh", "-c", "echo record; echo 'pg_waldump: error: end' >&2; exit 1");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.succeeded()).isFalse();
        assertThat(result.stdout()).isEqualTo("record\n");
        assertThat(result.stderr()).isEqualTo("pg_waldump: error: end\n");
        assertThat(result.failure()).startsWith("/bin/sh -c").endsWith("exit 1: pg_waldump: error: end");
    }

    @Test
    void handsOutputOverALineAtATime() {
        List<String> lines = new ArrayList<>();

        CommandRunner.Result result = shell.pg(Duration.ofSeconds(10), lines::add, "sh", "-c", "seq 1 3");

        assertThat(result.succeeded()).isTrue();
        assertThat(lines).containsExactly("1", "2", "3");
    }

    @Test
    void aCommandThatOverrunsItsTimeoutIsKilledAndSaysSo() {
        CommandRunner.Result result = shell.pg(Duration.ofSeconds(1), "sh", "-c", "sleep 30");

        assertThat(result.timedOut()).isTrue();
        assertThat(result.took()).isLessThan(Duration.ofSeconds(10));
        assertThat(result.failure()).contains("timed out after 1 s");
    }

    @Test
    void aProgramThatCannotStartIsAFailureNotAnException() {
        CommandRunner.Result result = shell.pg(Duration.ofSeconds(1), "no-such-program");

        assertThat(result.succeeded()).isFalse();
        assertThat(result.stderr()).startsWith("could not run");
    }
}
