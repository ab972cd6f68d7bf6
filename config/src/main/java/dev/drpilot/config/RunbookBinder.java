package dev.drpilot.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Binds failover runbooks: ordered steps, each with a timeout and its type's own options. */
final class RunbookBinder {
    static final String DEFAULT = "default";

    /** The options each step type understands, with the values an option may take where they are fixed. */
    private static final Map<Runbook.Type, Map<String, Set<String>>> OPTIONS = Map.of(
            Runbook.Type.CHECK, Map.of(),
            Runbook.Type.FENCE, Map.of("method", Set.of("stop", "command", "kubernetes"), "command", Set.of(),
                    "namespace", Set.of(), "statefulSet", Set.of(), "deployment", Set.of()),
            Runbook.Type.PROMOTE, Map.of("method", Set.of("postgres", "rds"), "region", Set.of(), "endpoint", Set.of()),
            Runbook.Type.REPOINT, Map.of("method", Set.of("kubernetes", "route53", "replicas"), "namespace", Set.of(), "deployment", Set.of(),
                    "env", Set.of(), "configMap", Set.of(), "key", Set.of(), "hostedZoneId", Set.of(), "recordName", Set.of(),
                    "ttl", Set.of(), "endpoint", Set.of()),
            Runbook.Type.VERIFY, Map.of(),
            Runbook.Type.NOTIFY, Map.of());

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
                new Runbook.Step(Runbook.Type.CHECK, Duration.ofSeconds(30), Map.of()),
                new Runbook.Step(Runbook.Type.FENCE, minute, Map.of("method", "stop")),
                new Runbook.Step(Runbook.Type.PROMOTE, minute, Map.of("method", "postgres")),
                new Runbook.Step(Runbook.Type.REPOINT, Duration.ofSeconds(30), Map.of("method", "replicas")),
                new Runbook.Step(Runbook.Type.VERIFY, minute, Map.of()),
                new Runbook.Step(Runbook.Type.NOTIFY, Duration.ofSeconds(30), Map.of())));
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
            Map<String, String> options = new LinkedHashMap<>();
            if (type != null) {
                OPTIONS.get(type).forEach((option, allowed) -> item.optionalString(option).ifPresent(value -> {
                    if (!allowed.isEmpty() && !allowed.contains(value)) {
                        item.problems().add(item.child(option), "\"" + value + "\" is not one of " + String.join(", ", allowed.stream().sorted().toList()));
                    }
                    options.put(option, value);
                }));
                checkStep(item, type, options);
            }
            item.finish();
            steps.add(new Runbook.Step(type == null ? Runbook.Type.CHECK : type, timeout, options));
        }
        section.finish();
        return new Runbook(name, steps);
    }

    private static void checkStep(Section item, Runbook.Type type, Map<String, String> options) {
        String method = options.getOrDefault("method", "");
        if (type == Runbook.Type.FENCE && method.equals("command") && !options.containsKey("command")) {
            item.problems().add(item.child("command"), "fence method command needs the command to run");
        }
        if (type == Runbook.Type.REPOINT) {
            if (method.isEmpty()) {
                item.problems().add(item.child("method"), "missing: repoint needs a method (replicas, kubernetes or route53)");
            } else if (method.equals("kubernetes") && !options.containsKey("deployment") && !options.containsKey("configMap")) {
                item.problems().add(item.child("deployment"), "repoint via kubernetes patches a deployment (env) or a configMap (key)");
            } else if (method.equals("route53") && (!options.containsKey("hostedZoneId") || !options.containsKey("recordName"))) {
                item.problems().add(item.path(), "repoint via route53 needs hostedZoneId and recordName");
            }
        }
        if (type == Runbook.Type.PROMOTE && method.equals("rds") && !options.containsKey("region")) {
            item.problems().add(item.child("region"), "missing: promote via rds needs the AWS region of the instances (e.g. eu-west-1)");
        }
        if (type == Runbook.Type.FENCE && method.equals("kubernetes") && !options.containsKey("statefulSet") && !options.containsKey("deployment")) {
            item.problems().add(item.child("statefulSet"), "fence via kubernetes scales a statefulSet or a deployment to 0: name one");
        }
        if (type == Runbook.Type.REPOINT && method.equals("kubernetes")) {
            if (options.containsKey("deployment") && !options.containsKey("env")) {
                item.problems().add(item.child("env"), "repoint via kubernetes of a deployment needs the env variable to set (e.g. DB_PRIMARY)");
            }
            if (options.containsKey("configMap") && !options.containsKey("key")) {
                item.problems().add(item.child("key"), "repoint via kubernetes of a configMap needs the key to set");
            }
        }
        Optional.ofNullable(options.get("endpoint")).filter(endpoint -> !ProbeBinder.isHttpUrl(endpoint))
                .ifPresent(endpoint -> item.problems().add(item.child("endpoint"), "\"" + endpoint + "\" is not an http:// or https:// URL"));
        if (options.containsKey("ttl")) {
            try {
                if (Integer.parseInt(options.get("ttl")) < 0) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                item.problems().add(item.child("ttl"), "\"" + options.get("ttl") + "\" is not a number of seconds");
            }
        }
    }
}
