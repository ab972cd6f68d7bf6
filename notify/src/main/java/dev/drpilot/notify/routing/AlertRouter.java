package dev.drpilot.notify.routing;

import dev.drpilot.config.Route;
import dev.drpilot.events.Alert;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Chooses the receivers of an alert from the configured routes: tried in order, the first match
 * wins unless it says {@code continue}; a receiver named by several matching routes is chosen once.
 * Pure: every receiver's worker asks the same router and gets the same answer.
 */
public final class AlertRouter {
    static final String DELIVERY_FAILED = "delivery-failed";
    private final List<Route> routes;

    public AlertRouter(List<Route> routes) {
        this.routes = List.copyOf(routes);
    }

    /**
     * Receiver names, in the order the routes name them, each at most once. A {@code delivery-failed} alert (a receiver
     * that could not be reached) never goes to the receiver it is about, and when the routes chose no other, it goes to
     * every other receiver the routes name: it exists so that somebody else is told.
     */
    public List<String> receiversFor(Alert alert) {
        Set<String> chosen = new LinkedHashSet<>();
        for (Route route : routes) {
            if (matches(route.match(), alert)) {
                chosen.addAll(route.receivers());
                if (!route.continueMatching()) {
                    break;
                }
            }
        }
        if (DELIVERY_FAILED.equals(alert.getRule())) {
            String unreachable = alert.getLabels().get("receiver");
            chosen.remove(unreachable);
            if (chosen.isEmpty()) {
                chosen.addAll(routedReceivers());
                chosen.remove(unreachable);
            }
        }
        return new ArrayList<>(chosen);
    }

    public boolean routesTo(Alert alert, String receiver) {
        return receiversFor(alert).contains(receiver);
    }

    /** Every receiver some route names: the ones that need a worker. */
    public Set<String> routedReceivers() {
        Set<String> names = new LinkedHashSet<>();
        routes.forEach(route -> names.addAll(route.receivers()));
        return names;
    }

    static boolean matches(Route.Match match, Alert alert) {
        String severity = alert.getSeverity().name().toLowerCase(Locale.ROOT);
        if (!match.severity().isEmpty() && !match.severity().contains(severity)) {
            return false;
        }
        if (!match.rule().isEmpty() && !match.rule().contains(alert.getRule())) {
            return false;
        }
        if (!match.component().isEmpty() && !match.component().contains(alert.getComponent())) {
            return false;
        }
        Map<String, String> labels = alert.getLabels();
        for (Map.Entry<String, String> wanted : match.labels().entrySet()) {
            if (!wanted.getValue().equals(labels.get(wanted.getKey()))) {
                return false;
            }
        }
        return true;
    }
}
