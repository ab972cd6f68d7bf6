package dev.drpilot.recovery.drill;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.drpilot.config.ConfigNames;
import dev.drpilot.config.Durations;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * A drill report as JSON (for tools: durations in milliseconds, times in ISO-8601 UTC) and as Markdown (for people:
 * the figures beside the targets, a table of the steps, what to fix).
 */
public final class DrillReportFormat {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private DrillReportFormat() {
    }

    /** Seconds with milliseconds, e.g. {@code 1.234 s}. */
    public static String seconds(Duration duration) {
        return String.format(Locale.ROOT, "%.3f s", duration.toMillis() / 1000.0);
    }

    public static String json(DrillReport report) {
        ObjectNode root = JSON.createObjectNode();
        root.put("runId", report.runId());
        root.put("drill", report.drill());
        root.put("kind", ConfigNames.of(report.kind()));
        root.put("component", report.component());
        report.cluster().ifPresentOrElse(cluster -> root.put("cluster", cluster), () -> root.putNull("cluster"));
        root.put("startedAt", report.startedAt().toString());
        root.put("finishedAt", report.finishedAt().toString());
        root.put("outcome", report.outcome().name());
        millis(root, "rtoMillis", report.rto());
        millis(root, "rtoTargetMillis", report.rtoTarget());
        millis(root, "rpoMillis", report.rpo());
        millis(root, "rpoTargetMillis", report.rpoTarget());
        report.rows().ifPresentOrElse(rows -> {
            ObjectNode node = root.putObject("rows");
            node.put("acknowledged", rows.acknowledged());
            node.put("lost", rows.lost());
        }, () -> root.putNull("rows"));
        ArrayNode steps = root.putArray("steps");
        for (DrillStep step : report.steps()) {
            ObjectNode node = steps.addObject();
            node.put("name", step.name());
            node.put("status", step.status().name());
            node.put("startedAt", step.startedAt().toString());
            node.put("durationMillis", step.duration().toMillis());
            node.put("detail", step.detail());
            step.fix().ifPresentOrElse(fix -> node.put("fix", fix), () -> node.putNull("fix"));
        }
        ArrayNode fixes = root.putArray("fixes");
        report.fixes().forEach(fixes::add);
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void millis(ObjectNode node, String field, Optional<Duration> value) {
        value.ifPresentOrElse(duration -> node.put(field, duration.toMillis()), () -> node.putNull(field));
    }

    public static String markdown(DrillReport report) {
        StringBuilder md = new StringBuilder();
        md.append("# Drill ").append(report.drill()).append(": ").append(report.outcome()).append("\n\n");
        md.append("- run: `").append(report.runId()).append("` (").append(ConfigNames.of(report.kind())).append(")\n");
        md.append("- component: ").append(report.component());
        report.cluster().ifPresent(cluster -> md.append(", cluster ").append(cluster));
        md.append("\n- started ").append(report.startedAt()).append(", took ").append(seconds(report.duration())).append("\n\n");
        md.append("| | measured | target | |\n|---|---|---|---|\n");
        figure(md, "RTO", report.rto(), report.rtoTarget());
        figure(md, "RPO", report.rpo(), report.rpoTarget());
        report.rows().ifPresent(rows -> md.append("| acknowledged rows lost | ").append(rows.lost()).append(" of ").append(rows.acknowledged())
                .append(" | 0 | ").append(rows.lost() == 0 ? "met" : "**missed**").append(" |\n"));
        md.append("\n## Steps\n\n| # | step | result | took | detail |\n|---|---|---|---|---|\n");
        int index = 1;
        for (DrillStep step : report.steps()) {
            md.append("| ").append(index++).append(" | ").append(cell(step.name())).append(" | ")
                    .append(step.status() == DrillStep.Status.PASSED || step.status() == DrillStep.Status.SKIPPED ? step.status().name()
                            : "**" + step.status() + "**")
                    .append(" | ").append(seconds(step.duration())).append(" | ").append(cell(step.detail())).append(" |\n");
        }
        md.append("\n## What to fix\n\n");
        if (report.fixes().isEmpty()) {
            md.append("Nothing: every step passed.\n");
        } else {
            report.fixes().forEach(fix -> md.append("- ").append(fix).append("\n"));
        }
        return md.toString();
    }

    private static void figure(StringBuilder md, String name, Optional<Duration> measured, Optional<Duration> target) {
        md.append("| ").append(name).append(" | ").append(measured.map(DrillReportFormat::seconds).orElse("-")).append(" | ")
                .append(target.map(Durations::format).orElse("-")).append(" | ");
        if (measured.isPresent() && target.isPresent()) {
            md.append(measured.get().compareTo(target.get()) <= 0 ? "met" : "**missed**");
        }
        md.append(" |\n");
    }

    // A table cell is one line, and a | would end it early.
    private static String cell(String text) {
        return text.strip().replace("|", "\\|").replace("\n", "<br>");
    }
}
