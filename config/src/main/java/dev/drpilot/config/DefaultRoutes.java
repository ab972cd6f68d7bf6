package dev.drpilot.config;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The DR plan's routing, used when the configuration declares no routes: a failed backup (or WAL archiving, or restore
 * check) goes to email; CRITICAL alerts (RPO/RTO breach, primary down, failover trouble) page through PagerDuty
 * (Opsgenie, SNS); everything, CRITICAL included, goes to Alertmanager, webhooks, Slack, Teams and the log. A receiver
 * named by several matching routes gets an alert once. Metrics see every alert regardless of routes.
 */
final class DefaultRoutes {
    private DefaultRoutes() {
    }

    static List<Route> of(List<Receiver> receivers) {
        List<String> email = namesOf(receivers, List.of(EmailReceiver.class));
        List<String> pagers = namesOf(receivers, List.of(PagerDutyReceiver.class, OpsgenieReceiver.class, SnsReceiver.class));
        // CloudWatch receives figures (PutMetricData), not alerts, so no route names it.
        List<String> everything = namesOf(receivers, List.of(AlertmanagerReceiver.class, LogReceiver.class, WebhookReceiver.class,
                SlackReceiver.class, TeamsReceiver.class));
        List<Route> routes = new ArrayList<>();
        if (!email.isEmpty()) {
            routes.add(new Route(new Route.Match(Set.of(), new LinkedHashSet<>(List.of("backup-failed", "archiving", "restore-check")), Set.of(), Map.of()), email, true));
        }
        if (!pagers.isEmpty()) {
            routes.add(new Route(new Route.Match(Set.of("critical"), Set.of(), Set.of(), Map.of()), pagers, true));
        }
        if (!everything.isEmpty()) {
            routes.add(new Route(Route.Match.everything(), everything, false));
        }
        return routes;
    }

    private static List<String> namesOf(List<Receiver> receivers, List<Class<? extends Receiver>> types) {
        return receivers.stream().filter(receiver -> types.stream().anyMatch(type -> type.isInstance(receiver))).map(Receiver::name).toList();
    }
}
