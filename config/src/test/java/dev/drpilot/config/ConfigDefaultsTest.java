package dev.drpilot.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class ConfigDefaultsTest {
    private static final Map<String, String> ENV = Map.of("PGPASS", "s3cret-pg", "PD_KEY", "R0UT1NGKEY",
            "ORDERS_DB_PASSWORD", "orders-db-pw", "PD_ROUTING_KEY", "pd-routing-key-0123456789abcdef", "SMTP_PASSWORD", "smtp-pw",
            "HOOK_URL", "https://hooks.slack.com/services/T/B/x");

    @Test
    void withoutAFileTheDrPlanDefaultsApply() {
        DrpilotConfig config = DrpilotConfig.defaults();

        assertThat(config.kafka().bootstrapServers()).isEmpty();
        assertThat(config.kafka().embedded().port()).isEqualTo(9092);
        assertThat(config.kafka().embedded().stateDir()).isEqualTo(Path.of("./var/kafka"));
        assertThat(config.kafka().partitions()).as("one partition per topic on the embedded broker").isEqualTo(1);
        assertThat(config.detector().stateDir()).isEmpty();
        assertThat(config.detector().stateDir(Optional.of(Path.of("./var/kafka")))).as("beside the embedded broker's data")
                .isEqualTo(Path.of("./var/kafka/streams"));
        assertThat(config.detector().stateDir(Optional.empty())).as("stable: no process id in it")
                .isEqualTo(Path.of(System.getProperty("java.io.tmpdir"), "drpilot-streams"));
        assertThat(ConfigLoader.parse("detector: {stateDir: /var/lib/drpilot/streams}", "t", name -> null).detector()
                .stateDir(Optional.of(Path.of("./var/kafka")))).isEqualTo(Path.of("/var/lib/drpilot/streams"));
        assertThat(config.thresholds().replicationLag()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.collector().heartbeatInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.collector().vantage()).isEqualTo(config.collector().id());
        assertThat(config.runbooks()).containsOnlyKeys("default");
        assertThat(config.runbooks().get("default").steps()).extracting(Runbook.Step::type).containsExactly(
                Runbook.Type.CHECK, Runbook.Type.FENCE, Runbook.Type.PROMOTE, Runbook.Type.REPOINT, Runbook.Type.VERIFY, Runbook.Type.NOTIFY);
    }

    @Test
    void keyedTopicsGetSixPartitionsOnAKafkaClusterAndAsManyAsWritten() {
        assertThat(ConfigLoader.parse("kafka: {bootstrapServers: kafka:9092}\n", "test", ENV::get).kafka().partitions()).isEqualTo(6);
        assertThat(ConfigLoader.parse("kafka: {partitions: 3}\n", "test", ENV::get).kafka().partitions()).isEqualTo(3);
    }

    @Test
    void componentTargetsDefaultByKindAsTheDrPlanSays() {
        DrpilotConfig config = ConfigLoader.parse("""
                components:
                  - {name: db, kind: database}
                  - {name: app, kind: application}
                  - {name: data, kind: data}
                  - {name: dns, kind: dns}
                  - {name: reports, kind: database, rto: 1h, rpo: 30m}
                """, "t", ENV::get);

        assertThat(config.components()).extracting(Component::name, Component::rto, Component::rpo).containsExactly(
                org.assertj.core.groups.Tuple.tuple("db", Duration.ofMinutes(15), Optional.of(Duration.ofMinutes(5))),
                org.assertj.core.groups.Tuple.tuple("app", Duration.ofMinutes(5), Optional.empty()),
                org.assertj.core.groups.Tuple.tuple("data", Duration.ofHours(1), Optional.of(Duration.ofMinutes(15))),
                org.assertj.core.groups.Tuple.tuple("dns", Duration.ofMinutes(5), Optional.empty()),
                org.assertj.core.groups.Tuple.tuple("reports", Duration.ofHours(1), Optional.of(Duration.ofMinutes(30))));
    }

    @Test
    void failoverDefaultsAreSafeAndBoundTheLagByTheRpo() {
        DrpilotConfig config = ConfigLoader.parse("""
                components: [{name: db, kind: database, rpo: 2m}]
                clusters:
                  main:
                    component: db
                    nodes: [{name: a, host: h}]
                """, "t", ENV::get);
        FailoverSettings failover = config.clusters().get("main").failover();

        assertThat(failover.mode()).isEqualTo(FailoverSettings.Mode.OFF);
        assertThat(failover.maxLagOnFailover()).isEqualTo(Duration.ofMinutes(2));
        assertThat(failover.maxLagBytesOnFailover()).isEqualTo(16L << 20);
        assertThat(failover.cooldown()).isEqualTo(Duration.ofMinutes(15));
        assertThat(failover.quorum()).isEqualTo(2);
        assertThat(failover.holdProbes()).isEqualTo(3);
        assertThat(failover.approvalTimeout()).isEqualTo(Duration.ofMinutes(30));
        assertThat(failover.approvalValidity()).isEqualTo(Duration.ofMinutes(15));
        assertThat(failover.unreachablePrimary()).as("safe: a silent old primary may be serving behind a partition")
                .isEqualTo(FailoverSettings.UnreachablePrimary.WHEN_PORT_CLOSED);
        NodeConfig node = config.clusters().get("main").nodes().get(0);
        assertThat(node.effectiveJdbcUrl()).isEqualTo("jdbc:postgresql://h:5432/postgres");
        assertThat(node.role()).isEqualTo(NodeConfig.Role.REPLICA);
    }

    @Test
    void probeTimingsDefaultByKind() {
        DrpilotConfig config = ConfigLoader.parse("""
                components: [{name: db, kind: database}]
                clusters: {main: {component: db, nodes: [{name: a, host: h}]}}
                probes:
                  - {name: pg, kind: postgres, component: db, cluster: main, node: a}
                  - {name: web, kind: http, component: db, url: "http://localhost/health"}
                """, "t", ENV::get);
        assertThat(config.probes()).extracting(Probe::interval, Probe::timeout).containsExactly(
                org.assertj.core.groups.Tuple.tuple(Duration.ofSeconds(2), Duration.ofSeconds(1)),
                org.assertj.core.groups.Tuple.tuple(Duration.ofSeconds(10), Duration.ofSeconds(2)));
    }

    @Test
    void withoutRoutesFailedBackupsGoToEmailCriticalPagesAndEverythingGoesToAlertmanager() {
        DrpilotConfig config = ConfigLoader.parse("""
                receivers:
                  - {name: am, type: alertmanager, urls: ["http://am:9093"]}
                  - {name: pd, type: pagerduty, routingKey: "${PD_KEY}"}
                  - {name: mail, type: email, smtp: {host: smtp}, from: a@example.com, to: [b@example.com]}
                """, "t", ENV::get);

        assertThat(config.routes()).containsExactly(
                new Route(new Route.Match(Set.of(), Set.of("backup-failed", "archiving", "restore-check"), Set.of(), Map.of()), List.of("mail"), true),
                new Route(new Route.Match(Set.of("critical"), Set.of(), Set.of(), Map.of()), List.of("pd"), true),
                new Route(Route.Match.everything(), List.of("am"), false));
        assertThat(config.receivers().get(0)).isInstanceOfSatisfying(AlertmanagerReceiver.class,
                alertmanager -> assertThat(alertmanager.resendInterval()).isEqualTo(Duration.ofMinutes(1)));
        assertThat(config.receivers().get(1)).isInstanceOfSatisfying(PagerDutyReceiver.class,
                pagerDuty -> assertThat(pagerDuty.url()).isEqualTo("https://events.pagerduty.com/v2/enqueue"));
        assertThat(config.receivers().get(2)).isInstanceOfSatisfying(EmailReceiver.class,
                email -> assertThat(email.smtp().port()).isEqualTo(587));
    }

    @Test
    void withoutRoutesOpsgeniePagesLikePagerDutyAndChatChannelsSeeEverything() {
        DrpilotConfig config = ConfigLoader.parse("""
                receivers:
                  - {name: genie, type: opsgenie, apiKey: "${PD_KEY}"}
                  - {name: slack, type: slack, webhookUrl: "${HOOK_URL}"}
                  - {name: teams, type: teams, webhookUrl: "${HOOK_URL}"}
                """, "t", ENV::get);

        assertThat(config.routes()).containsExactly(
                new Route(new Route.Match(Set.of("critical"), Set.of(), Set.of(), Map.of()), List.of("genie"), true),
                new Route(Route.Match.everything(), List.of("slack", "teams"), false));
    }

    @Test
    void secretsComeFromTheEnvironmentOrAFileAndAreNeverPrinted(@TempDir Path dir) throws IOException {
        Path keyFile = dir.resolve("pd.key");
        Files.writeString(keyFile, "from-a-file-0123\n");
        DrpilotConfig config = ConfigLoader.parse("""
                components: [{name: db, kind: database}]
                clusters: {main: {component: db, nodes: [{name: a, host: h, password: "${PGPASS}"}]}}
                receivers:
                  - {name: pd, type: pagerduty, routingKey: "file:%s"}
                kafka:
                  properties:
                    sasl.jaas.config: "org.apache.kafka.common.security.plain.PlainLoginModule required password=\\"${PGPASS}\\";"
                    security.protocol: SASL_SSL
                """.formatted(keyFile), "t", ENV::get);

        Secret password = config.clusters().get("main").nodes().get(0).password().orElseThrow();
        Secret routingKey = ((PagerDutyReceiver) config.receivers().get(0)).routingKey();
        assertThat(password.reveal()).isEqualTo("s3cret-pg");
        assertThat(routingKey.reveal()).isEqualTo("from-a-file-0123");
        assertThat(password).hasToString("****** (${PGPASS})");
        assertThat(config.kafka().properties().get("sasl.jaas.config")).contains("password=\"s3cret-pg\"");

        String printed = ConfigPrinter.toYaml(config);
        String asString = config.toString();
        for (String shown : List.of(printed, asString)) {
            assertThat(shown).doesNotContain("s3cret-pg").doesNotContain("from-a-file-0123");
        }
        assertThat(printed).contains("****** (${PGPASS})").contains("security.protocol: SASL_SSL").contains("sasl.jaas.config: '******'");
    }

    @Test
    void theShippedExampleIsValid() {
        DrpilotConfig config = ConfigLoader.load(Path.of("../examples/drpilot.yaml"), ENV::get);

        assertThat(config.clusters().get("orders").nodes()).hasSize(3);
        assertThat(config.clusters().get("orders").failover().mode()).isEqualTo(FailoverSettings.Mode.DRY_RUN);
        assertThat(config.runbooks().get("orders-failover").steps().get(3).options())
                .containsEntry("deployment", "orders-app").containsEntry("env", "DB_PRIMARY");
        assertThat(config.component("orders-data").flatMap(Component::rpo)).contains(Duration.ofMinutes(15));
        assertThat(config.backups().get(0).restoreCheck()).get().satisfies(check ->
                assertThat(check.schedule()).get().extracting(Schedule::text).isEqualTo("0 3 * * 0"));
    }

    @Test
    void printedDurationsAndEnumsLookAsTheyAreWritten() {
        String printed = ConfigPrinter.toYaml(ConfigLoader.parse("""
                components: [{name: db, kind: database, rto: 1h30m}]
                clusters: {main: {component: db, nodes: [{name: a, host: h}], failover: {mode: dry-run}}}
                """, "t", ENV::get));
        assertThat(printed).contains("rto: 1h30m").contains("mode: dry-run").contains("rpo: 5m");
    }

    @Test
    void aBareOffIsTheNameOffNotABoolean() {
        DrpilotConfig config = ConfigLoader.parse("""
                components: [{name: orders-db, kind: database}]
                clusters:
                  orders:
                    component: orders-db
                    nodes: [{name: pg-1, role: primary, host: pg-1}]
                    failover: {mode: off}
                """, "test", name -> null);
        assertThat(config.clusters().get("orders").failover().mode()).isEqualTo(FailoverSettings.Mode.OFF);
    }

    @Test
    void aComponentOverridesSomeThresholdsAndInheritsTheRest() {
        DrpilotConfig config = ConfigLoader.parse("""
                thresholds: {replicationLag: 45s, lagHold: 20s}
                components:
                  - {name: orders-db, kind: database}
                  - {name: ledger-db, kind: database, thresholds: {lagHold: 5s, evidenceMaxAge: 10s}}
                alerts: {runbookUrl: "https://wiki.example/dr/{rule}/{component}", reemitInterval: 10m}
                expectedCollectors: [{id: eu-1, heartbeatInterval: 15s}]
                """, "test", name -> null);
        assertThat(config.component("orders-db").orElseThrow().thresholds()).isEqualTo(config.thresholds());
        Thresholds ledger = config.component("ledger-db").orElseThrow().thresholds();
        assertThat(ledger.lagHold()).isEqualTo(Duration.ofSeconds(5));
        assertThat(ledger.evidenceMaxAge()).isEqualTo(Duration.ofSeconds(10));
        assertThat(ledger.replicationLag()).isEqualTo(Duration.ofSeconds(45));
        assertThat(config.thresholds().failoverCompletion()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.thresholds().probeFailures()).isEqualTo(3);
        assertThat(config.alerts().runbookFor("rpo-breach", "ledger-db", null)).contains("https://wiki.example/dr/rpo-breach/ledger-db");
        assertThat(config.alerts().reemitInterval()).contains(Duration.ofMinutes(10));
        assertThat(config.alerts().evaluationInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.expectedCollectors()).containsExactly(new ExpectedCollector("eu-1", Duration.ofSeconds(15)));
    }

    @Test
    void aPlantOfAHundredThousandComponentsLoads() {
        StringBuilder yaml = new StringBuilder("components:\n");
        for (int i = 0; i < 100_000; i++) {
            yaml.append("  - {name: db-").append(i).append(", kind: database}\n");
        }
        assertThat(ConfigLoader.parse(yaml.toString(), "big", name -> null).components()).hasSize(100_000);
    }
}
