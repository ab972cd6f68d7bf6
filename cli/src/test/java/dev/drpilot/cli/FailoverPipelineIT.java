package dev.drpilot.cli;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import dev.drpilot.broker.EmbeddedKafkaBroker;
import dev.drpilot.failover.LazyCloudClients;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.util.Map;
import java.util.Queue;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Optional;
import dev.drpilot.cli.drill.FailoverDrill;
import dev.drpilot.events.ActionStatus;
import dev.drpilot.events.Alert;
import dev.drpilot.events.FailoverCommand;
import dev.drpilot.localpg.PostgresCluster;
import dev.drpilot.schemas.topic.Topics;
import dev.drpilot.testkit.EmbeddedKafkaExtension;
import dev.drpilot.testkit.KafkaTestClients;
import dev.drpilot.testkit.TestNames;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Collectors → detectors → actuator on real PostgreSQL: the primary's postmaster is killed with
 * a writer running; the pipeline detects it (probe + the replicas' lost WAL receivers), issues one
 * failover command, promotes the preferred replica, repoints the other, patches the app's
 * Deployment (fabric8's Kubernetes API mock) and the DNS record (a Route 53 fake: the real SDK
 * client against WireMock), and records it all.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class FailoverPipelineIT {

    private static final String NS = "https://route53.amazonaws.com/doc/2013-04-01/";
    private static final String RRSET = "/2013-04-01/hostedzone/Z0123456789ABC/rrset";

    @Test
    void aKilledPrimaryIsFailedOverByThePipeline(EmbeddedKafkaBroker broker) throws Exception {
        String name = TestNames.unique("pipeline");
        WireMockServer route53 = new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));
        route53.start();
        route53.stubFor(get(urlPathEqualTo(RRSET)).willReturn(xml("<ListResourceRecordSetsResponse xmlns=\"" + NS + "\"><ResourceRecordSets>"
                + "</ResourceRecordSets><IsTruncated>false</IsTruncated><MaxItems>10</MaxItems></ListResourceRecordSetsResponse>")));
        route53.stubFor(post(urlPathEqualTo(RRSET + "/")).willReturn(xml(changeInfo("ChangeResourceRecordSetsResponse", "PENDING"))));
        route53.stubFor(get(urlPathEqualTo("/2013-04-01/change/C2682N5HXP0BZ4")).willReturn(xml(changeInfo("GetChangeResponse", "INSYNC"))));
        // The SDK's default credential chain, as in production; these system properties are its first link.
        String keyBefore = System.getProperty("aws.accessKeyId");
        String secretBefore = System.getProperty("aws.secretAccessKey");
        System.setProperty("aws.accessKeyId", "AKIDTEST");
        System.setProperty("aws.secretAccessKey", "test-secret");
        Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
        KubernetesMockServer kubernetes = new KubernetesMockServer(new Context(), new MockWebServer(), expectations,
                new KubernetesMixedDispatcher(expectations), false);   // CRUD: stores what is created and patched
        kubernetes.init(InetAddress.getByName("127.0.0.1"), 0);
        KubernetesClient client = kubernetes.createClient(new JdkHttpClientFactory());
        try (PostgresCluster pg = PostgresCluster.start(name, 2);
             LazyCloudClients cloud = new LazyCloudClients(() -> client)) {
            client.apps().deployments().inNamespace("orders").resource(new DeploymentBuilder()
                    .withNewMetadata().withName("orders-app").withNamespace("orders").endMetadata()
                    .withNewSpec().withReplicas(2).withNewSelector().addToMatchLabels("app", "orders").endSelector()
                    .withNewTemplate().withNewMetadata().addToLabels("app", "orders").endMetadata()
                    .withNewSpec().addNewContainer().withName("app").withImage("example/orders:1")
                    .addNewEnv().withName("DB_PRIMARY").withValue(pg.primary().host() + ":" + pg.primary().port()).endEnv()
                    .endContainer().endSpec().endTemplate().endSpec().build()).create();
            String runbook = """
                    runbooks:
                      full:
                        steps:
                          - {type: check, timeout: 30s}
                          - {type: fence, method: stop}
                          - {type: promote, method: postgres}
                          - {type: repoint, method: replicas, timeout: 30s}
                          - {type: repoint, method: kubernetes, namespace: orders, deployment: orders-app, env: DB_PRIMARY}
                          - {type: repoint, method: route53, hostedZoneId: Z0123456789ABC, recordName: db.orders.example.com, ttl: 30, endpoint: "http://127.0.0.1:%d"}
                          - {type: verify}
                          - {type: notify}
                    """.formatted(route53.port());
            FailoverDrill.Result result;
            try (FailoverDrill drill = new FailoverDrill(broker, pg, name, "{mode: auto, runbook: full}", runbook, Optional.of(cloud))) {
                result = drill.killPrimary(Duration.ofSeconds(60));
            }

            assertThat(result.newPrimary()).isEqualTo(pg.replica(0).name());
            assertThat(result.summary().getStatus()).isEqualTo(ActionStatus.SUCCEEDED);
            assertThat(result.summary().getAttributes()).containsEntry("newPrimary", pg.replica(0).name()).containsKey("rtoMillis");
            await("the other replica streaming from the new primary").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                try (Connection connection = pg.replica(1).connect(); Statement statement = connection.createStatement();
                     ResultSet row = statement.executeQuery("SELECT status, sender_port FROM pg_stat_wal_receiver")) {
                    assertThat(row.next()).isTrue();
                    assertThat(row.getString(1) + ":" + row.getInt(2)).isEqualTo("streaming:" + pg.replica(0).port());
                }
            });
            List<ConsumerRecord<String, FailoverCommand>> commands = KafkaTestClients.read(broker, Topics.FAILOVER_COMMANDS.name(), 1_000,
                    Topics.FAILOVER_COMMANDS.keySerde().deserializer(), Topics.FAILOVER_COMMANDS.valueSerde().deserializer(), Duration.ofSeconds(3));
            assertThat(commands).filteredOn(record -> name.equals(record.key())).singleElement()
                    .satisfies(record -> assertThat(record.value().getFailedNode()).isEqualTo(pg.primary().name()));
            await("primary-down fired and resolved").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                List<ConsumerRecord<String, Alert>> alerts = KafkaTestClients.read(broker, Topics.ALERTS.name(), 10_000,
                        Topics.ALERTS.keySerde().deserializer(), Topics.ALERTS.valueSerde().deserializer(), Duration.ofSeconds(3));
                assertThat(alerts).filteredOn(record -> name.equals(record.value().getCluster()) && record.value().getRule().equals("primary-down"))
                        .extracting(record -> record.value().getStatus().name()).containsExactly("FIRING", "RESOLVED");
            });
            assertThat(client.apps().deployments().inNamespace("orders").withName("orders-app").get().getSpec().getTemplate().getSpec()
                    .getContainers().get(0).getEnv()).singleElement()
                    .satisfies(env -> assertThat(env.getValue()).isEqualTo(pg.replica(0).host() + ":" + pg.replica(0).port()));
            route53.verify(1, postRequestedFor(urlPathEqualTo(RRSET + "/")).withRequestBody(containing(
                    "<Action>UPSERT</Action><ResourceRecordSet><Name>db.orders.example.com</Name><Type>A</Type><TTL>30</TTL>"
                            + "<ResourceRecords><ResourceRecord><Value>127.0.0.1</Value></ResourceRecord></ResourceRecords>")));
            assertThat(result.summary().getDetail()).startsWith("failed over to " + pg.replica(0).name());
            System.out.printf("pipeline failover: writable after %d ms (kill to write accepted), %d of %d acknowledged rows lost, summary: %s%n",
                    result.toWritable().toMillis(), result.lost(), result.acknowledged(), result.summary().getDetail());
        } finally {
            client.close();
            kubernetes.destroy();
            route53.stop();
            // The JVM is shared with the other ITs: keys left here would be the first link of their default chain too.
            restore("aws.accessKeyId", keyBefore);
            restore("aws.secretAccessKey", secretBefore);
        }
    }

    private static void restore(String property, String value) {
        if (value == null) {
            System.clearProperty(property);
        } else {
            System.setProperty(property, value);
        }
    }

    @Test
    void aPrimaryFrozenForLessThanTheHoldIsNotFailedOver(EmbeddedKafkaBroker broker) throws Exception {
        String name = TestNames.unique("blip");
        try (PostgresCluster pg = PostgresCluster.start(name, 2);
             FailoverDrill drill = new FailoverDrill(broker, pg, name, "")) {
            // Watched for a while first: the replicas' views and several healthy probes are in.
            await("healthy observations of " + name).atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(KafkaTestClients.read(broker, Topics.HEALTH_OBSERVATIONS.name(), 100_000,
                            Topics.HEALTH_OBSERVATIONS.keySerde().deserializer(), Topics.HEALTH_OBSERVATIONS.valueSerde().deserializer(),
                            Duration.ofSeconds(2))).filteredOn(record -> name.equals(record.key()) && record.value().getOk()).hasSizeGreaterThan(6));
            drill.freezePrimaryFor(Duration.ofSeconds(3));

            await("no failover command for " + name).during(Duration.ofSeconds(12)).atMost(Duration.ofSeconds(20)).until(() ->
                    KafkaTestClients.read(broker, Topics.FAILOVER_COMMANDS.name(), 1_000, Topics.FAILOVER_COMMANDS.keySerde().deserializer(),
                            Topics.FAILOVER_COMMANDS.valueSerde().deserializer(), Duration.ofMillis(500)).stream()
                            .noneMatch(record -> name.equals(record.key())));
            assertThat(pg.replica(0).isInRecovery()).isTrue();
            assertThat(pg.replica(1).isInRecovery()).isTrue();
            assertThat(KafkaTestClients.read(broker, Topics.HEALTH_OBSERVATIONS.name(), 100_000,
                    Topics.HEALTH_OBSERVATIONS.keySerde().deserializer(), Topics.HEALTH_OBSERVATIONS.valueSerde().deserializer(), Duration.ofSeconds(2)))
                    .as("the blip was seen: at least one probe failed").anySatisfy(record -> {
                        assertThat(record.key()).isEqualTo(name);
                        assertThat(record.value().getOk()).isFalse();
                    });
        }
    }

    private static ResponseDefinitionBuilder xml(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", "text/xml").withHeader("x-amzn-RequestId", "req-1")
                .withBody("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + body);
    }

    private static String changeInfo(String response, String status) {
        return "<" + response + " xmlns=\"" + NS + "\"><ChangeInfo><Id>/change/C2682N5HXP0BZ4</Id><Status>" + status + "</Status>"
                + "<SubmittedAt>2026-11-24T03:00:01.000Z</SubmittedAt></ChangeInfo></" + response + ">";
    }
}
