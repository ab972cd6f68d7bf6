package dev.drpilot.cli;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** DRPILOT_LOG_FORMAT as the distribution's launcher sees it: an unknown format stops the command before it logs. */
class LogFormatIT {
    private static final Path LAUNCHER = Path.of("target", "drpilot-dist", "bin", "drpilot").toAbsolutePath();

    @Test
    void anUnknownFormatIsRefusedNamingTheVariable() throws Exception {
        Result result = run("xml");
        assertThat(result.exit()).isEqualTo(2);
        assertThat(result.err()).contains("DRPILOT_LOG_FORMAT is \"xml\"").contains("text").contains("json");
    }

    @Test
    void jsonAndTextAreAccepted() throws Exception {
        assertThat(run("json").exit()).isZero();
        assertThat(run("text").exit()).isZero();
    }

    private record Result(int exit, String err) {
    }

    private static Result run(String format) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(LAUNCHER.toString(), "version");
        builder.environment().put("DRPILOT_LOG_FORMAT", format);
        Process process = builder.start();
        process.getOutputStream().close();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("drpilot version ends").isTrue();
        return new Result(process.exitValue(), new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }
}
