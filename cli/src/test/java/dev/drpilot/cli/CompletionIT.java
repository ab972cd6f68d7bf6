package dev.drpilot.cli;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The completion script the distribution ships (target/drpilot-dist/completion/drpilot.bash, made by the package phase),
 * sourced in a real bash: it completes sub-commands and options as a user's TAB would.
 */
class CompletionIT {
    private static final Path SHIPPED = Path.of("target", "drpilot-dist", "completion", "drpilot.bash");

    @Test
    void theShippedScriptIsWhatDrpilotCompletionPrints() throws Exception {
        CliRun cli = new CliRun();
        assertThat(cli.run("completion", "bash")).isZero();
        assertThat(Files.readString(SHIPPED)).isEqualTo(cli.out.toString());
        assertThat(new CliRun().run("completion", "fish")).isEqualTo(ExitCodes.INVALID);
    }

    @Test
    void bashCompletesASubcommandAndAnOption() throws Exception {
        assertThat(complete("drpilot", "sta")).containsExactly("status");
        assertThat(complete("drpilot", "fail")).containsExactly("failover");
        assertThat(complete("drpilot", "failover", "pa")).containsExactly("pause");
        assertThat(complete("drpilot", "status", "--out")).containsExactly("--output");
        assertThat(complete("drpilot", "completion", "z")).containsExactly("zsh");
    }

    /** What bash offers for the last word, as TAB would: the script's completion function over COMP_WORDS. */
    private static List<String> complete(String... words) throws Exception {
        String line = String.join(" ", words);
        String script = "source " + SHIPPED.toAbsolutePath() + "\n"
                + "COMP_WORDS=(" + line + "); COMP_CWORD=" + (words.length - 1) + "; COMP_LINE='" + line + "'; COMP_POINT=${#COMP_LINE}\n"
                + "_complete_drpilot drpilot '" + words[words.length - 1] + "' '" + words[words.length - 2] + "'\n"
                + "printf '%s\\n' \"${COMPREPLY[@]}\"\n";
        // stderr aside: outside a real TAB, bash's compopt complains that no completion is running, which changes nothing.
        Process bash = new ProcessBuilder("bash", "--norc", "--noprofile", "-c", script)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String output = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(bash.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(bash.exitValue()).as(output).isZero();
        return output.lines().map(String::strip).filter(word -> !word.isEmpty()).toList();
    }
}
