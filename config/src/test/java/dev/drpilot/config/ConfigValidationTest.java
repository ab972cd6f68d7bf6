package dev.drpilot.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** One test per validation rule, each asserting the exact message a user sees. */
class ConfigValidationTest {
    private static final Map<String, String> ENV = Map.of("PGPASS", "s3cret-pg", "PD_KEY", "R0UT1NGKEY");

    static List<String> problemsOf(String yaml) {
        ConfigException error = catchThrowableOfType(ConfigException.class,
                () -> ConfigLoader.parse(yaml, "test.yaml", ENV::get));
        assertThat(error).as("expected the configuration to be rejected").isNotNull();
        return error.problems();
    }

    static DrpilotConfig valid(String yaml) {
        return ConfigLoader.parse(yaml, "test.yaml", ENV::get);
    }

    private static final String CLUSTER = """
            components:
              - {name: orders-db, kind: database}
            clusters:
              orders:
                component: orders-db
                nodes:
                  - {name: pg-1, role: primary, host: 10.0.0.1}
                  - {name: pg-2, host: 10.0.0.2}
            """;

    @Test
    void reportsEveryProblemOfAFileWithSeveralMistakesAtOnce() {
        ConfigException error = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse("""
                components:
                  - name: orders-db
                    kind: database
                  - name: orders-app
                    kind: application
                    rpo: 5 minutes
                clusters:
                  orders:
                    component: orders-db
                    nodes: []
                thresholds:
                  replicatonLag: 30s
                receivers:
                  - name: oncall
                    type: pagerduty
                    routingKey: plain-text-key
                """, "drpilot.yaml", ENV::get));

        assertThat(error.problems()).containsExactlyInAnyOrder(
                "components[1].rpo: \"5 minutes\" is not a duration (use 90s, 5m, 1h)",
                "clusters.orders.nodes: a cluster needs at least one node",
                "thresholds.replicatonLag: unknown key (did you mean \"replicationLag\"?)",
                "receivers[0].routingKey: " + Secret.HOW);
        assertThat(error.getMessage()).startsWith("drpilot.yaml: 4 problems").contains("clusters.orders.nodes");
    }

    @Test
    void yamlSyntaxErrorsNameTheLine() {
        assertThat(problemsOf("components:\n  - name: a\n   kind: [unclosed\n")).singleElement()
                .asString().startsWith("line 3, column").contains("not valid YAML");
    }

    @Test
    void theTopLevelMustBeAMapping() {
        assertThat(problemsOf("- a\n- b\n")).containsExactly(": expected a mapping of keys to values, found a list");
    }

    @Test
    void unknownTopLevelKeysAreErrorsWithAHint() {
        assertThat(problemsOf("componets: []\n")).containsExactly("componets: unknown key (did you mean \"components\"?)");
    }

    @Test
    void unknownKeysFarFromAnyKnownKeyListTheKnownOnes() {
        assertThat(problemsOf("collector: {colour: blue}\n")).singleElement().asString()
                .startsWith("collector.colour: unknown key (known keys: id, vantage, heartbeatInterval)");
    }

    @Test
    void unknownKeysDeepInsideAreNamedByTheirPath() {
        assertThat(problemsOf(CLUSTER.replace("host: 10.0.0.2", "hots: 10.0.0.2")))
                .contains("clusters.orders.nodes[1].hots: unknown key (did you mean \"host\"?)",
                        "clusters.orders.nodes[1].host: missing (required)");
    }

    @Test
    void componentsNeedANameAndAKnownKind() {
        assertThat(problemsOf("components:\n  - {kind: databse}\n")).containsExactly(
                "components[0].name: missing (required)",
                "components[0].kind: \"databse\" is not one of database, application, data, dns");
    }

    @Test
    void componentNamesAreUnique() {
        assertThat(problemsOf("components:\n  - {name: a, kind: dns}\n  - {name: a, kind: data}\n"))
                .containsExactly("components[1].name: \"a\" is used by another component");
    }

    @Test
    void anRpoMustExceedTheLagThreshold() {
        assertThat(problemsOf("components:\n  - {name: a, kind: database, rpo: 30s}\n"))
                .containsExactly("components[0].rpo: 30s must be longer than thresholds.replicationLag (1m), or lag would breach the RPO before it warns");
    }

    @Test
    void anApprovalMustBeValidForSomeTime() {
        assertThat(problemsOf("""
                components: [{name: db, kind: database}]
                clusters:
                  main:
                    component: db
                    nodes: [{name: a, host: h}]
                    failover: {mode: manual, approvalValidity: 0s, approvalValidty: 5m}
                """)).containsExactlyInAnyOrder("clusters.main.failover.approvalValidity: must be longer than 0s",
                "clusters.main.failover.approvalValidty: unknown key (did you mean \"approvalValidity\"?)");
    }

    @Test
    void durationsMustBePositive() {
        assertThat(problemsOf("components:\n  - {name: a, kind: dns, rto: 0s}\n"))
                .containsExactly("components[0].rto: must be longer than 0s");
    }

    @Test
    void aComponentsClusterMustExist() {
        assertThat(problemsOf("components:\n  - {name: a, kind: database, cluster: nope}\n"))
                .containsExactly("components[0].cluster: no cluster named \"nope\"");
    }

    @Test
    void aClustersComponentMustExist() {
        assertThat(problemsOf(CLUSTER.replace("component: orders-db", "component: billing-db")))
                .containsExactly("clusters.orders.component: no component named \"billing-db\" (known: orders-db)");
    }

    @Test
    void nodeNamesAreUniqueWithinACluster() {
        assertThat(problemsOf(CLUSTER.replace("name: pg-2", "name: pg-1")))
                .containsExactly("clusters.orders.nodes[1].name: \"pg-1\" is used by another node of cluster orders");
    }

    @Test
    void atMostOneNodeIsThePrimary() {
        assertThat(problemsOf(CLUSTER.replace("{name: pg-2,", "{name: pg-2, role: primary,")))
                .containsExactly("clusters.orders.nodes: at most one node may have role primary");
    }

    @Test
    void nodeSettingsAreChecked() {
        assertThat(problemsOf(CLUSTER.replace("host: 10.0.0.2}", "host: 10.0.0.2, port: 70000, priority: 101, tags: [nofailovr], role: leader}")))
                .containsExactlyInAnyOrder(
                        "clusters.orders.nodes[1].port: 70000 is out of range (1 to 65535)",
                        "clusters.orders.nodes[1].priority: 101 is out of range (0 to 100)",
                        "clusters.orders.nodes[1].tags: unknown tag \"nofailovr\" (known: nofailover, noloadbalance, nosync)",
                        "clusters.orders.nodes[1].role: \"leader\" is not one of primary, replica");
    }

    @Test
    void aJdbcUrlMustBePostgres() {
        assertThat(problemsOf(CLUSTER.replace("{name: pg-2, host: 10.0.0.2}", "{name: pg-2, jdbcUrl: \"jdbc:mysql://x/y\"}")))
                .containsExactly("clusters.orders.nodes[1].jdbcUrl: \"jdbc:mysql://x/y\" is not a PostgreSQL JDBC URL (jdbc:postgresql://host:port/db)");
    }

    @Test
    void failoverSettingsAreChecked() {
        assertThat(problemsOf(CLUSTER + "    failover: {mode: yolo, quorum: 0, runbook: missing, maxLagBytesOnFailover: lots}\n"))
                .containsExactlyInAnyOrder(
                        "clusters.orders.failover.mode: \"yolo\" is not one of auto, dry-run, manual, off",
                        "clusters.orders.failover.quorum: 0 is out of range (1 to 100)",
                        "clusters.orders.failover.maxLagBytesOnFailover: \"lots\" is not a byte size (use 1048576, 512KiB, 16MiB, 1GiB)",
                        "clusters.orders.failover.runbook: no runbook named \"missing\" (known: default)");
    }

    @Test
    void theUnreachablePrimaryPolicyIsOneOfThree() {
        assertThat(problemsOf(CLUSTER + "    failover: {mode: auto, unreachablePrimary: always}\n"))
                .containsExactly("clusters.orders.failover.unreachablePrimary: \"always\" is not one of refuse, when-port-closed, promote");
        assertThat(valid(CLUSTER + "    failover: {mode: auto, unreachablePrimary: refuse}\n").clusters().get("orders").failover().unreachablePrimary())
                .isEqualTo(FailoverSettings.UnreachablePrimary.REFUSE);
    }

    @Test
    void anAutomaticFailoverWhoseRunbookFencesNothingMustAcceptAnUnreachablePrimary() {
        String noFence = CLUSTER + "    failover: {mode: auto, runbook: promote-only%s}\n" + """
                runbooks:
                  promote-only:
                    steps:
                      - {type: check}
                      - {type: promote, method: postgres}
                """;
        assertThat(problemsOf(noFence.formatted(""))).containsExactly("clusters.orders.failover.runbook: runbook \"promote-only\" has no fence"
                + " step, so failover mode auto could never promote: add a fence step, or set failover.unreachablePrimary to promote"
                + " (accepting a split brain while the old primary may still take writes)");
        assertThat(valid(noFence.formatted(", unreachablePrimary: promote")).clusters()).containsKey("orders");
        assertThat(valid(noFence.formatted("").replace("mode: auto", "mode: manual")).clusters()).as("refused at run time, paging")
                .containsKey("orders");
    }

    @Test
    void automaticFailoverNeedsAPromotableNode() {
        String allTagged = CLUSTER.replace("host: 10.0.0.1}", "host: 10.0.0.1, tags: [nofailover]}")
                .replace("host: 10.0.0.2}", "host: 10.0.0.2, tags: [nofailover]}");
        assertThat(problemsOf(allTagged + "    failover: {mode: auto}\n"))
                .containsExactly("clusters.orders.failover.mode: failover is auto but every node is tagged nofailover");
    }

    @Test
    void probesNeedTheirTargetsAndATimeoutBelowTheInterval() {
        assertThat(problemsOf(CLUSTER + """
                probes:
                  - {name: api, kind: http, component: orders-db, url: "ftp://x"}
                  - {name: port, kind: tcp, component: orders-db}
                  - {name: name, kind: dns, component: orders-db}
                  - {name: db, kind: postgres, component: orders-db, cluster: orders, node: pg-9, interval: 1s, timeout: 1s}
                  - {name: api, kind: ping, component: ghost}
                """)).containsExactlyInAnyOrder(
                "probes[0].url: \"ftp://x\" is not an http:// or https:// URL",
                "probes[1].host: a tcp probe needs a host",
                "probes[1].port: a tcp probe needs a port",
                "probes[2].dnsName: a dns probe needs the name to resolve",
                "probes[3].timeout: 1s must be shorter than the interval (1s), or a hung target would stack probes up",
                "probes[3].node: cluster orders has no node named \"pg-9\"",
                "probes[4].kind: \"ping\" is not one of postgres, tcp, http, dns",
                "probes[4].name: \"api\" is used by another probe",
                "probes[4].component: no component named \"ghost\" (known: orders-db)");
    }

    @Test
    void postgresProbesNameTheirClusterAndNode() {
        assertThat(problemsOf(CLUSTER + "probes:\n  - {name: db, kind: postgres, component: orders-db}\n"))
                .containsExactly("probes[0].cluster: a postgres probe names the cluster of its node",
                        "probes[0].node: a postgres probe names the node it checks");
    }

    @Test
    void backupsAreChecked() {
        assertThat(problemsOf(CLUSTER + """
                backups:
                  - {component: orders-db, tool: pgbackrest}
                  - {component: orders-db, tool: report-only, command: "true"}
                  - {component: nowhere, tool: barman}
                """)).containsExactlyInAnyOrder(
                "backups[0].stanza: pgbackrest needs the stanza to report on",
                "backups[1].command: report-only backups run no command; the backup job reports its outcome",
                "backups[2].tool: \"barman\" is not one of wal-g, pgbackrest, report-only",
                "backups[2].component: no component named \"nowhere\" (known: orders-db)");
    }

    @Test
    void receiversNeedWhatTheirTypeNeeds() {
        assertThat(problemsOf("""
                receivers:
                  - {name: am, type: alertmanager}
                  - {name: pd, type: pagerduty}
                  - {name: mail, type: email, from: not-an-address, to: [ops@example.com, nobody]}
                  - {name: sns, type: sns, topicArn: my-topic}
                  - {name: cw, type: cloudwatch}
                  - {name: hook, type: webhook}
                  - {name: am, type: hipchat}
                """)).containsExactlyInAnyOrder(
                "receivers[0].urls: missing: an alertmanager receiver needs the URL of every Alertmanager (they are not load-balanced)",
                "receivers[1].routingKey: missing: a pagerduty receiver needs its integration's routing key (${ENV_VAR} or file:/path)",
                "receivers[2].smtp: missing: an email receiver needs smtp.host",
                "receivers[2].from: \"not-an-address\" is not an email address",
                "receivers[2].to[1]: \"nobody\" is not an email address",
                "receivers[3].topicArn: \"my-topic\" is not an ARN (arn:aws:sns:region:account:topic)",
                "receivers[3].region: missing: an sns receiver needs the AWS region",
                "receivers[4].region: missing: a cloudwatch receiver needs the AWS region",
                "receivers[5].url: missing: a webhook receiver needs a url",
                "receivers[6].type: \"hipchat\" is not one of alertmanager, pagerduty, email, sns, cloudwatch, webhook, slack, teams, opsgenie, log",
                "receivers[6].name: \"am\" is used by another receiver");
    }

    @Test
    void routesNameExistingReceiversAndKnownSeverities() {
        assertThat(problemsOf("""
                receivers:
                  - {name: log, type: log}
                routes:
                  - match: {severity: [urgent], colour: red}
                    receivers: [log, pager]
                  - match: {}
                    receivers: []
                """)).containsExactlyInAnyOrder(
                "routes[0].match.severity: \"urgent\" is not one of info, warning, critical",
                "routes[0].match.colour: unknown key (known keys: severity, rule, component, labels)",
                "routes[0].receivers[1]: no receiver named \"pager\" (receivers: log)",
                "routes[1].receivers: a route names at least one receiver");
    }

    @Test
    void runbookStepsAreChecked() {
        assertThat(problemsOf("""
                runbooks:
                  empty: {steps: []}
                  broken:
                    steps:
                      - {type: reboot}
                      - {type: fence, method: command}
                      - {type: promote, method: magic}
                      - {type: repoint}
                      - {type: repoint, method: kubernetes}
                      - {type: repoint, method: route53, ttl: soon}
                      - {type: verify, deployment: x}
                """)).containsExactlyInAnyOrder(
                "runbooks.empty.steps: a runbook needs at least one step",
                "runbooks.broken.steps[0].type: \"reboot\" is not one of check, fence, promote, repoint, verify, notify",
                "runbooks.broken.steps[1].command: fence method command needs the command to run",
                "runbooks.broken.steps[2].method: \"magic\" is not one of postgres, rds",
                "runbooks.broken.steps[3].method: missing: repoint needs a method (replicas, kubernetes or route53)",
                "runbooks.broken.steps[4].deployment: repoint via kubernetes patches a deployment (env) or a configMap (key)",
                "runbooks.broken.steps[5]: repoint via route53 needs hostedZoneId and recordName",
                "runbooks.broken.steps[5].ttl: \"soon\" is not a number of seconds",
                "runbooks.broken.steps[6].deployment: unknown key (known keys: type, timeout)");
    }

    @Test
    void kafkaSettingsAreChecked() {
        assertThat(problemsOf("""
                kafka:
                  partitions: 0
                  embedded: {port: -1}
                  properties:
                    bootstrap.servers: x:9092
                    sasl.jaas.config: ${MISSING_JAAS}
                """)).containsExactlyInAnyOrder(
                "kafka.partitions: 0 is out of range (1 to 10000)",
                "kafka.embedded.port: -1 is out of range (0 to 65535)",
                "kafka.properties.sasl.jaas.config: environment variable MISSING_JAAS is not set",
                "kafka.properties.bootstrap.servers: set kafka.bootstrapServers instead");
    }

    @Test
    void theDetectorsStateDirIsChecked() {
        assertThat(problemsOf("detector: {stateDir: \"\"}\n")).containsExactly("detector.stateDir: must not be empty");
        assertThat(problemsOf("detector: {stateDir: [a, b]}\n")).singleElement().asString().startsWith("detector.stateDir: expected a single value");
        assertThat(problemsOf("detector: {stateDir: \"bad\\u0000dir\"}\n")).singleElement().asString()
                .startsWith("detector.stateDir: not a valid path");
        assertThat(problemsOf("kafka: {embedded: {stateDir: /data/kafka}}\ndetector: {stateDir: /data/kafka}\n")).containsExactly(
                "detector.stateDir: /data/kafka would hold the embedded broker's data (kafka.embedded.stateDir /data/kafka): give the"
                        + " detectors a directory of their own");
        assertThat(problemsOf("kafka: {embedded: {stateDir: /data/kafka}}\ndetector: {stateDir: /data}\n")).hasSize(1);
        assertThat(problemsOf("detector: {statedir: /x}\n")).singleElement().asString().startsWith("detector.statedir: unknown key");
        assertThat(valid("kafka: {embedded: {stateDir: /data/kafka}}\ndetector: {stateDir: /data/streams}\n").detector().stateDir()).contains(Path.of("/data/streams"));
    }

    @Test
    void thresholdsAreChecked() {
        assertThat(problemsOf("thresholds: {replicationLagBytes: 12 bananas, collectorSilenceFactor: 1, lagHold: soon}\n"))
                .containsExactlyInAnyOrder(
                        "thresholds.replicationLagBytes: \"12 bananas\" is not a byte size (use 1048576, 512KiB, 16MiB, 1GiB)",
                        "thresholds.collectorSilenceFactor: 1 is out of range (2 to 100)",
                        "thresholds.lagHold: \"soon\" is not a duration (use 90s, 5m, 1h)");
    }

    @Test
    void wrongShapesAreReportedNotThrown() {
        assertThat(problemsOf("components: {name: a}\nclusters: [a]\ncollector: x\n")).containsExactlyInAnyOrder(
                "components: expected a list, found a mapping",
                "clusters: expected a mapping of names to settings, found a list",
                "collector: expected a mapping of keys to values, found \"x\"");
    }

    @ParameterizedTest
    @CsvSource({"yes,true", "off,false", "true,true"})
    void booleansAcceptTheUsualSpellings(String written, boolean expected) {
        DrpilotConfig config = valid("""
                receivers:
                  - name: mail
                    type: email
                    smtp: {host: smtp.example.com, startTls: %s}
                    from: drpilot@example.com
                    to: [ops@example.com]
                """.formatted(written));
        assertThat(((EmailReceiver) config.receivers().get(0)).smtp().startTls()).isEqualTo(expected);
    }

    @Test
    void aMissingFileIsAProblemNotAStackTrace() {
        assertThatThrownBy(() -> ConfigLoader.load(java.nio.file.Path.of("/nonexistent/drpilot.yaml")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("/nonexistent/drpilot.yaml: 1 problem" + System.lineSeparator() + "  file not found");
    }

    @Test
    void alertSettingsAndComponentThresholdsAreChecked() {
        assertThat(problemsOf("""
                components: [{name: a, kind: database, thresholds: {lagHold: soon, replicatonLag: 5s}}]
                alerts: {runbookUrl: "wiki/{rule}", runbookUrls: {primary-dwn: "https://x.example/pd"}, reemitInterval: 0s}
                expectedCollectors: [{id: eu-1}, {id: eu-1}, {heartbeatInterval: 10s}]
                """)).containsExactlyInAnyOrder(
                "components[0].thresholds.lagHold: \"soon\" is not a duration (use 90s, 5m, 1h)",
                "components[0].thresholds.replicatonLag: unknown key (did you mean \"replicationLag\"?)",
                "alerts.runbookUrl: \"wiki/{rule}\" is not an http:// or https:// URL",
                "alerts.runbookUrls.primary-dwn: no rule named \"primary-dwn\" (rules: replication-lag, backup-failed, rpo-breach, primary-down, rto-breach, split-brain, silent-collector, failover-health, database-refuses, primary-unconfirmed, archiving, restore-check, delivery-failed)",
                "alerts.reemitInterval: must be longer than 0s",
                "expectedCollectors[1].id: \"eu-1\" is listed twice",
                "expectedCollectors[2].id: missing (required)");
    }

    @Test
    void aRouteMatchingAnUnknownRuleIsAnError() {
        assertThat(problemsOf("""
                receivers: [{name: log, type: log}]
                routes: [{match: {rule: [backup-failed, backups-failed]}, receivers: [log]}]
                """)).containsExactly("routes[0].match.rule: no rule named \"backups-failed\" (rules: replication-lag, backup-failed, "
                + "rpo-breach, primary-down, rto-breach, split-brain, silent-collector, failover-health, database-refuses, primary-unconfirmed, archiving, restore-check, delivery-failed)");
    }

    @Test
    void cloudStepsNeedTheirOptions() {
        assertThat(problemsOf("""
                runbooks:
                  cloud:
                    steps:
                      - {type: fence, method: kubernetes, namespace: db}
                      - {type: promote, method: rds}
                      - {type: repoint, method: kubernetes, deployment: orders-app}
                      - {type: repoint, method: route53, hostedZoneId: Z1, recordName: db.example.com, endpoint: "route53.local"}
                """)).containsExactlyInAnyOrder(
                "runbooks.cloud.steps[0].statefulSet: fence via kubernetes scales a statefulSet or a deployment to 0: name one",
                "runbooks.cloud.steps[1].region: missing: promote via rds needs the AWS region of the instances (e.g. eu-west-1)",
                "runbooks.cloud.steps[2].env: repoint via kubernetes of a deployment needs the env variable to set (e.g. DB_PRIMARY)",
                "runbooks.cloud.steps[3].endpoint: \"route53.local\" is not an http:// or https:// URL");
    }
}
