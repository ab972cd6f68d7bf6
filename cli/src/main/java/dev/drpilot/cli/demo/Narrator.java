package dev.drpilot.cli.demo;

import java.io.PrintStream;
import java.time.Clock;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Tells on the console what the demo does and what drpilot saw, each line stamped with the local time. */
public final class Narrator {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT);

    private final PrintStream out;
    private final Clock clock;

    public Narrator(PrintStream out, Clock clock) {
        this.out = out;
        this.clock = clock;
    }

    /** A line of the story. */
    public synchronized void say(String format, Object... args) {
        out.println(stamp() + "  " + String.format(Locale.ROOT, format, args));
        out.flush();
    }

    /** Lines shown as they are, indented under the previous one (a report, an email). */
    public synchronized void block(String text) {
        for (String line : text.split("\n")) {
            out.println("          " + line);
        }
        out.flush();
    }

    /** The start of a scenario. */
    public synchronized void chapter(String title) {
        out.println();
        out.println(stamp() + "  == " + title + " ==");
        out.flush();
    }

    private String stamp() {
        return LocalTime.ofInstant(clock.instant(), ZoneId.systemDefault()).format(TIME);
    }
}
