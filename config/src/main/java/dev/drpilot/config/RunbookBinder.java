package dev.drpilot.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Binds failover runbooks: ordered steps, each with a timeout and the options of its type and method ({@link StepRegistry}). */
final class RunbookBinder {
    static final String DEFAULT = "default";

    private final Section top;

    RunbookBinder(Section top) {
        this.top = top;
    }

    Map<String, Runbook> runbooks() {
        Map<String, Runbook> runbooks = new LinkedHashMap<>();
        runbooks.put(DEFAULT, builtIn());
        top.namedSections("runbooks").forEach((name, section) -> runbooks.put(name, runbook(name, section)));
        return runbooks;
    }

    /** check, fence (stop the old primary), promote (pg_promote), the other replicas follow, verify, notify. */
    static Runbook builtIn() {
        Duration minute = Duration.ofSeconds(60);
        return new Runbook(DEFAULT, List.of(
                new Runbook.Step(new StepSpec.Check(), Duration.ofSeconds(30)),
                new Runbook.Step(new StepSpec.FenceStop(), minute),
                new Runbook.Step(new StepSpec.PromotePostgres(), minute),
                new Runbook.Step(new StepSpec.RepointReplicas(), Duration.ofSeconds(30)),
                new Runbook.Step(new StepSpec.Verify(), minute),
                new Runbook.Step(new StepSpec.Notify(), Duration.ofSeconds(30))));
    }

    private static Runbook runbook(String name, Section section) {
        List<Runbook.Step> steps = new ArrayList<>();
        List<Section> items = section.list("steps");
        if (items.isEmpty()) {
            section.problems().add(section.child("steps"), "a runbook needs at least one step");
        }
        for (Section item : items) {
            Runbook.Type type = item.enumValue("type", Runbook.Type.class, null);
            Duration timeout = item.duration("timeout", Duration.ofSeconds(60));
            // A step without a valid type is reported; what stands in for it is never run (the load fails).
            StepSpec spec = type == null ? new StepSpec.Check() : StepRegistry.bind(type, item);
            item.finish();
            steps.add(new Runbook.Step(spec, timeout));
        }
        section.finish();
        return new Runbook(name, steps);
    }
}
