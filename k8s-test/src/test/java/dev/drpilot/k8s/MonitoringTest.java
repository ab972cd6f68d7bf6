package dev.drpilot.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Services reach their Deployments' ports; ServiceMonitors scrape each service's /metrics; the rules use real metrics. */
class MonitoringTest {
    private static final String METRICS_SERVICE = "drpilot-actuator-metrics";
    private static final Pattern METRIC = Pattern.compile("\\bdrpilot_[a-z_]+\\b");

    @Test
    void everyServiceSelectsADeploymentsPodsAndTargetsAPortTheyDeclare() {
        assertThat(Manifests.of(Service.class)).isNotEmpty();
        for (Service service : Manifests.of(Service.class)) {
            Deployment target = Manifests.of(Deployment.class).stream()
                    .filter(d -> d.getSpec().getTemplate().getMetadata().getLabels().entrySet().containsAll(service.getSpec().getSelector().entrySet()))
                    .findFirst().orElseThrow(() -> new AssertionError("Service " + service.getMetadata().getName() + " selects no Deployment's pods"));
            Container container = DeploymentsTest.container(target);
            for (ServicePort port : service.getSpec().getPorts()) {
                assertThat(container.getPorts()).as("%s port %s", service.getMetadata().getName(), port.getName())
                        .anySatisfy(declared -> assertThat(port.getTargetPort().getStrVal() != null
                                ? port.getTargetPort().getStrVal().equals(declared.getName())
                                : port.getTargetPort().getIntVal().equals(declared.getContainerPort())).isTrue());
            }
        }
    }

    @Test
    void theServiceMonitorsScrapeEachServicesMetricsPort() {
        assertThat(Manifests.docs("ServiceMonitor")).hasSize(3);
        for (String service : List.of(METRICS_SERVICE, "drpilot-detector-metrics", "drpilot-ingest-metrics")) {
            Service metrics = Manifests.one(Service.class, service);
            assertThat(Manifests.docs("ServiceMonitor")).as("a ServiceMonitor selecting %s", service).filteredOn(doc ->
                    onlyThisOne(doc.tree().path("spec"), metrics)).singleElement().satisfies(doc -> scrapes(doc.tree().path("spec"), metrics));
        }
    }

    /** The selector matches this Service and no other Service. */
    private static boolean onlyThisOne(JsonNode spec, Service metrics) {
        return Manifests.of(Service.class).stream().filter(service -> spec.path("selector").path("matchLabels").properties().stream()
                .allMatch(e -> e.getValue().asText().equals(service.getMetadata().getLabels().get(e.getKey())))).toList().equals(List.of(metrics));
    }

    private static void scrapes(JsonNode spec, Service metrics) {
        Map<String, String> labels = metrics.getMetadata().getLabels();
        spec.path("selector").path("matchLabels").properties()
                .forEach(e -> assertThat(labels).as("labels of %s", metrics.getMetadata().getName()).containsEntry(e.getKey(), e.getValue().asText()));
        assertThat(spec.path("selector").path("matchLabels")).isNotEmpty();
        assertThat(spec.path("namespaceSelector").path("matchNames").toString()).contains(metrics.getMetadata().getNamespace());
        assertThat(spec.path("endpoints")).isNotEmpty().allSatisfy(endpoint -> {
            assertThat(metrics.getSpec().getPorts()).extracting(ServicePort::getName).contains(endpoint.path("port").asText());
            assertThat(endpoint.path("path").asText("/metrics")).isEqualTo("/metrics");
        });
    }

    @Test
    void everyRuleIsAnAlertWithAnExpressionASeverityAndASummary() {
        assertThat(Manifests.docs("PrometheusRule")).isNotEmpty();
        for (Manifests.Doc doc : Manifests.docs("PrometheusRule")) {
            JsonNode groups = doc.tree().path("spec").path("groups");
            assertThat(groups).as("%s spec.groups", doc.where()).isNotEmpty();
            for (JsonNode group : groups) {
                assertThat(group.path("name").asText()).isNotBlank();
                assertThat(group.path("rules")).as("rules of group %s", group.path("name")).isNotEmpty().allSatisfy(rule -> {
                    assertThat(rule.path("alert").asText()).matches("[A-Z][A-Za-z0-9]+");
                    assertThat(rule.path("expr").asText()).isNotBlank();
                    assertThat(rule.path("labels").path("severity").asText()).isIn("critical", "warning", "info");
                    assertThat(rule.path("annotations").path("summary").asText()).isNotBlank();
                    if (rule.has("for")) {
                        assertThat(rule.path("for").asText()).matches("\\d+[smh]");
                    }
                });
            }
        }
    }

    /** Two copies of the rules drift apart unless something checks them: the manifest carries the shipped file's groups. */
    @Test
    void thePrometheusRuleCarriesTheShippedRulesFile() throws IOException {
        JsonNode shipped = Manifests.readTree(Path.of(Manifests.DIR.toString(), "..", "deploy", "prometheus", "drpilot-rules.yml"));
        String expected = shipped.path("groups").toString().replace("job=\\\"drpilot-actuator\\\"", "job=\\\"" + METRICS_SERVICE + "\\\"")
                .replace("The job drpilot-actuator ", "The job " + METRICS_SERVICE + " ");
        assertThat(Manifests.docs("PrometheusRule")).singleElement()
                .satisfies(doc -> assertThat(doc.tree().path("spec").path("groups").toString()).isEqualTo(expected));
    }

    /** A renamed metric would leave an alert that never fires: rules may use only documented ones. */
    @Test
    void rulesUseOnlyMetricsTheActuatorServesAndScrapeJobsThatExist() throws IOException {
        Set<String> documented = metrics(Files.readString(Path.of(Manifests.DIR.toString(), "..", "docs", "alerting.md")));
        assertThat(documented).contains("drpilot_alerts_firing");
        for (Manifests.Doc doc : Manifests.docs("PrometheusRule")) {
            for (JsonNode group : doc.tree().path("spec").path("groups")) {
                for (JsonNode rule : group.path("rules")) {
                    String expr = rule.path("expr").asText();
                    assertThat(metrics(expr)).as("metrics of %s", rule.path("alert").asText()).isSubsetOf(documented);
                    Matcher job = Pattern.compile("job=\"([^\"]+)\"").matcher(expr);
                    while (job.find()) {
                        assertThat(job.group(1)).as("job of %s: the ServiceMonitor's Service", rule.path("alert").asText()).isEqualTo(METRICS_SERVICE);
                    }
                }
            }
        }
    }

    private static Set<String> metrics(String text) {
        Set<String> names = new TreeSet<>();
        Matcher matcher = METRIC.matcher(text);
        while (matcher.find()) {
            names.add(matcher.group());
        }
        return names;
    }
}
