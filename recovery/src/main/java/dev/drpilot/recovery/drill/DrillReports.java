package dev.drpilot.recovery.drill;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The report files: {@code <reportDirectory>/<drill>/<run id>.json} and {@code .md}, and beside them {@code latest.json}
 * and {@code latest.md}, replaced atomically, for whoever shows the last run.
 */
public final class DrillReports {
    private final Path directory;

    public DrillReports(Path directory) {
        this.directory = directory;
    }

    /** The files written, JSON first. */
    public record Written(Path json, Path markdown) {
    }

    public Written write(DrillReport report) throws IOException {
        Path dir = Files.createDirectories(directory.resolve(report.drill()));
        String json = DrillReportFormat.json(report);
        String markdown = DrillReportFormat.markdown(report);
        Path jsonFile = Files.writeString(dir.resolve(report.runId() + ".json"), json);
        Path markdownFile = Files.writeString(dir.resolve(report.runId() + ".md"), markdown);
        replace(dir.resolve("latest.json"), json);
        replace(dir.resolve("latest.md"), markdown);
        return new Written(jsonFile, markdownFile);
    }

    private static void replace(Path file, String text) throws IOException {
        Path temporary = Files.writeString(file.resolveSibling(file.getFileName() + ".tmp"), text);
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
