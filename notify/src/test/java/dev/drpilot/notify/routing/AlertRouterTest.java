package dev.drpilot.notify.routing;

import dev.drpilot.config.ConfigLoader;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.events.Alert;
import dev.drpilot.events.Severity;
import dev.drpilot.notify.TestAlerts;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class AlertRouterTest {
    private static final String RECEIVERS = """
            receivers:
              - {name: am, type: alertmanager, urls: ["http://am:9093"]}
              - {name: pager, type: pagerduty, routingKey: "${PD_KEY}"}
              - {name: mail, type: email, smtp: {host: smtp.example.com}, from: drpilot@example.com, to: [dba@example.com]}
              - {name: log, type: log}
            """;

    private static AlertRouter router(String routes) {
        DrpilotConfig config = ConfigLoader.parse(RECEIVERS + routes, "test", name -> "k".repeat(32));
        return new AlertRouter(config.routes());
    }

    private static Alert alert(Severity severity, String rule) {
        return TestAlerts.firing("orders", severity).setRule(rule).build();
    }

    @Test
    void firstMatchingRouteWinsWithoutContinue() {
        AlertRouter router = router("""
                routes:
                  - {match: {severity: [critical]}, receivers: [pager]}
                  - {match: {}, receivers: [am]}
                """);
        assertThat(router.receiversFor(alert(Severity.CRITICAL, "primary-down"))).containsExactly("pager");
        assertThat(router.receiversFor(alert(Severity.WARNING, "replication-lag"))).containsExactly("am");
    }

    @Test
    void continueTriesLaterRoutesAndAReceiverNamedTwiceGetsTheAlertOnce() {
        AlertRouter router = router("""
                routes:
                  - {match: {severity: [critical]}, receivers: [pager, am], continue: true}
                  - {match: {component: [orders-db]}, receivers: [am, log]}
                  - {match: {}, receivers: [mail]}
                """);
        assertThat(router.receiversFor(alert(Severity.CRITICAL, "primary-down"))).containsExactly("pager", "am", "log");
        assertThat(router.routesTo(alert(Severity.CRITICAL, "primary-down"), "mail")).isFalse();
    }

    @Test
    void everyCriterionOfAMatchMustHoldAndLabelsMatchExactly() {
        AlertRouter router = router("""
                routes:
                  - {match: {rule: [backup-failed], labels: {cluster: billing}}, receivers: [mail]}
                """);
        Alert billing = TestAlerts.firing("billing", Severity.WARNING).setRule("backup-failed").build();
        Alert orders = TestAlerts.firing("orders", Severity.WARNING).setRule("backup-failed").build();
        assertThat(router.receiversFor(billing)).containsExactly("mail");
        assertThat(router.receiversFor(orders)).isEmpty();
        assertThat(router.receiversFor(alert(Severity.WARNING, "replication-lag"))).isEmpty();
    }

    @Test
    void defaultRoutesPageOnCriticalEmailFailedBackupsAndSendEverythingToAlertmanagerAndLog() {
        AlertRouter router = router("");
        assertThat(router.receiversFor(alert(Severity.CRITICAL, "primary-down"))).containsExactlyInAnyOrder("pager", "am", "log");
        assertThat(router.receiversFor(alert(Severity.WARNING, "backup-failed"))).containsExactlyInAnyOrder("mail", "am", "log");
        assertThat(router.receiversFor(alert(Severity.WARNING, "replication-lag"))).containsExactlyInAnyOrder("am", "log");
        assertThat(router.routedReceivers()).containsExactlyInAnyOrder("mail", "pager", "am", "log");
    }

    @Test
    void aDeliveryFailedAlertNeverGoesToTheReceiverItIsAboutAndFindsSomeoneElse() {
        AlertRouter router = router("""
                routes:
                  - {match: {severity: [critical]}, receivers: [pager]}
                  - {match: {rule: [backup-failed]}, receivers: [mail]}
                  - {match: {}, receivers: [am, log]}
                """);
        assertThat(router.receiversFor(deliveryFailed("pager", Severity.CRITICAL)))
                .as("the critical route names only pager: every other routed receiver is told").containsExactly("mail", "am", "log");
        assertThat(router.receiversFor(deliveryFailed("am", Severity.WARNING))).as("the routes' choice, without am").containsExactly("log");
        assertThat(router.receiversFor(alert(Severity.CRITICAL, "primary-down"))).as("other alerts route as before").containsExactly("pager");
    }

    private static Alert deliveryFailed(String receiver, Severity severity) {
        Alert.Builder alert = TestAlerts.firing("orders", severity).setRule("delivery-failed");
        Map<String, String> labels = new LinkedHashMap<>(alert.getLabels());
        labels.put("receiver", receiver);
        return alert.setLabels(labels).build();
    }
}
