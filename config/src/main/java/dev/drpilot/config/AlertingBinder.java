package dev.drpilot.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** Binds where alerts go: receivers, and the routes that choose among them. */
final class AlertingBinder {
    private static final Set<String> SEVERITIES = Set.of("info", "warning", "critical");

    private final Section top;
    // Every declared receiver, those with problems included: a route to one of them is not a second problem.
    private final Set<String> declaredNames = new HashSet<>();

    AlertingBinder(Section top) {
        this.top = top;
    }

    List<Receiver> receivers() {
        List<Receiver> receivers = new ArrayList<>();
        for (Section item : top.list("receivers")) {
            String name = item.required("name");
            Optional<ReceiverBinder> binder = ReceiverTypes.binderOf(item);
            binder.flatMap(typeBinder -> typeBinder.bind(name, item)).ifPresent(receivers::add);
            // Without a known type there is no schema to check the other keys against.
            if (binder.isPresent()) {
                item.finish();
            }
            item.requireUniqueName(declaredNames, name, "receiver");
        }
        return receivers;
    }

    List<Route> routes(List<Receiver> receivers) {
        if (!top.has("routes")) {
            return DefaultRoutes.of(receivers);
        }
        List<Route> routes = new ArrayList<>();
        for (Section item : top.list("routes")) {
            Section match = item.section("match");
            Set<String> severity = new LinkedHashSet<>();
            for (String value : match.strings("severity")) {
                String lower = value.toLowerCase(Locale.ROOT);
                if (!SEVERITIES.contains(lower)) {
                    item.problems().add(match.child("severity"), "\"" + value + "\" is not one of info, warning, critical");
                }
                severity.add(lower);
            }
            List<String> rules = match.strings("rule");
            for (String rule : rules) {
                if (!ConfigLoader.RULES.contains(rule)) {
                    item.problems().add(match.child("rule"), "no rule named \"" + rule + "\" (rules: " + String.join(", ", ConfigLoader.RULES) + ")");
                }
            }
            Route.Match criteria = new Route.Match(severity, new LinkedHashSet<>(rules),
                    new LinkedHashSet<>(match.strings("component")), match.stringMap("labels"));
            match.finish();
            List<String> targets = item.strings("receivers");
            if (targets.isEmpty()) {
                item.problems().add(item.child("receivers"), "a route names at least one receiver");
            }
            for (int i = 0; i < targets.size(); i++) {
                if (!declaredNames.contains(targets.get(i))) {
                    item.problems().add(item.child("receivers") + "[" + i + "]", "no receiver named \"" + targets.get(i) + "\""
                            + (declaredNames.isEmpty() ? " (no receivers are configured)" : " (receivers: " + String.join(", ", declaredNames) + ")"));
                }
            }
            boolean continueMatching = item.bool("continue", false);
            item.finish();
            routes.add(new Route(criteria, targets, continueMatching));
        }
        return routes;
    }
}
