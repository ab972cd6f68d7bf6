package dev.drpilot.cli;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every command's help, rendered as a terminal of 80 and of 120 columns shows it: no line wider than the terminal, no
 * paragraph broken by hand (picocli wraps; a hard break inside a sentence comes out as a ragged short line), and every
 * summary — the line the parent's command list shows — a whole sentence.
 */
class HelpTextTest {
    private static final Pattern ENDS_A_SENTENCE = Pattern.compile(".*[.!?:)]$", Pattern.DOTALL);

    @ParameterizedTest
    @ValueSource(ints = {80, 120})
    void everyCommandsHelpFitsTheTerminalAndWrapsCleanly(int width) {
        List<String> problems = new ArrayList<>();
        for (CommandLine command : ours(Main.commandLine())) {
            command.setUsageHelpAutoWidth(false);
            command.setUsageHelpWidth(width);
            String name = command.getCommandSpec().qualifiedName();
            String help = command.getUsageMessage(CommandLine.Help.Ansi.OFF);
            help.lines().filter(line -> line.length() > width)
                    .forEach(line -> problems.add(name + ": line of " + line.length() + " > " + width + " columns: " + line));
            problems.addAll(ragged(name, new CommandLine.Help(command.getCommandSpec(), CommandLine.Help.defaultColorScheme(
                    CommandLine.Help.Ansi.OFF)).description(), width));
        }
        assertThat(problems).isEmpty();
    }

    @org.junit.jupiter.api.Test
    void everySummaryAndDescriptionParagraphEndsASentence() {
        List<String> problems = new ArrayList<>();
        for (CommandLine command : ours(Main.commandLine())) {
            CommandSpec spec = command.getCommandSpec();
            String name = spec.qualifiedName();
            String[] description = spec.usageMessage().description();
            if (description.length == 0 || description[0].isBlank()) {
                problems.add(name + ": no summary");
            } else if (!description[0].strip().endsWith(".")) {
                problems.add(name + ": summary does not end a sentence: \"" + description[0] + "\"");
            }
            for (String paragraph : description) {
                // An indented paragraph is an example (a command line), not prose.
                if (!paragraph.isBlank() && !paragraph.startsWith(" ") && !ENDS_A_SENTENCE.matcher(paragraph.strip()).matches()) {
                    problems.add(name + ": paragraph broken mid-sentence: \"" + paragraph + "\"");
                }
            }
            List<ArgSpec> args = new ArrayList<>(spec.options());
            args.addAll(spec.positionalParameters());
            for (ArgSpec arg : args) {
                for (String paragraph : arg.description()) {
                    if (!paragraph.isBlank() && !ENDS_A_SENTENCE.matcher(paragraph.strip()).matches()) {
                        problems.add(name + " " + arg.paramLabel() + ": description broken mid-sentence: \"" + paragraph + "\"");
                    }
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    /**
     * Lines of a description that end although the next line's first word would have fitted behind them: a paragraph
     * broken by hand into several description lines.
     */
    static List<String> ragged(String name, String text, int width) {
        List<String> problems = new ArrayList<>();
        List<String> lines = text.lines().toList();
        for (int i = 0; i + 1 < lines.size(); i++) {
            String line = lines.get(i);
            String next = lines.get(i + 1);
            if (line.isBlank() || next.isBlank() || line.startsWith(" ") || next.startsWith(" ")) {
                continue;
            }
            String word = next.split(" ", 2)[0];
            // picocli keeps a line a column or two short of the width: only a break well before that is by hand.
            if (line.length() + 1 + word.length() < width - 1) {
                problems.add(name + ": ragged line (\"" + word + "\" would have fitted behind it): " + line);
            }
        }
        return problems;
    }

    /** Every command of drpilot's own: picocli's help command brings its own texts. */
    static List<CommandLine> ours(CommandLine root) {
        return all(root).stream().filter(command -> !(command.getCommandSpec().userObject() instanceof CommandLine.HelpCommand)).toList();
    }

    static List<CommandLine> all(CommandLine root) {
        List<CommandLine> all = new ArrayList<>();
        all.add(root);
        root.getSubcommands().values().stream().distinct().forEach(sub -> all.addAll(all(sub)));
        return all.stream().distinct().toList();
    }
}
