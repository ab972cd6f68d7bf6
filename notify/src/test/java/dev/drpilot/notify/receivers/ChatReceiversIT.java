package dev.drpilot.notify.receivers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.drpilot.broker.EmbeddedKafkaBroker;
import dev.drpilot.config.ConfigLoader;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.ActionStatus;
import dev.drpilot.events.Alert;
import dev.drpilot.events.Severity;
import dev.drpilot.notify.NotifyKafka;
import dev.drpilot.notify.NotifyService;
import dev.drpilot.notify.TestAlerts;
import dev.drpilot.testkit.EmbeddedKafkaExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Slack (incoming webhook and chat.postMessage), Microsoft Teams (Workflows webhook) and Opsgenie (Alert API v2) through
 * the real broker and the whole delivery path, against one local fake of the three services that checks the exact JSON.
 */
// The service only has to run for the duration of the try block; the tests look at its effects.
@SuppressWarnings("try")
@ExtendWith(EmbeddedKafkaExtension.class)
class ChatReceiversIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BOT_TOKEN = "xoxb-1234-5678-abcdefABCDEF";
    private static final String GENIE_KEY = "eb243592-faa2-4ba2-a551q-1afdf565c889";
    private static final WireMockServer saas = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));

    @BeforeAll
    static void start() {
        saas.start();
    }

    @AfterAll
    static void stop() {
        saas.stop();
    }

    @BeforeEach
    void forgetEarlierRequests() {
        saas.resetAll();
    }

    private static DrpilotConfig config(String cluster) {
        String base = "http://127.0.0.1:" + saas.port();
        Map<String, String> env = Map.of("SLACK_WEBHOOK_URL", base + "/services/T000/B000/" + cluster, "SLACK_BOT_TOKEN", BOT_TOKEN,
                "TEAMS_WEBHOOK_URL", base + "/workflows/" + cluster + "/triggers/manual/paths/invoke?sig=s3cr3t",
                "OPSGENIE_API_KEY", GENIE_KEY);
        return ConfigLoader.parse("""
                receivers:
                  - {name: slack-hook, type: slack, webhookUrl: "${SLACK_WEBHOOK_URL}"}
                  - {name: slack-bot, type: slack, token: "${SLACK_BOT_TOKEN}", channel: C0ONCALL, url: "%1$s/api/chat.postMessage"}
                  - {name: teams, type: teams, webhookUrl: "${TEAMS_WEBHOOK_URL}"}
                  - {name: opsgenie, type: opsgenie, apiKey: "${OPSGENIE_API_KEY}", url: "%1$s", responders: [dba]}
                routes:
                  - {match: {labels: {cluster: %2$s}}, receivers: [slack-hook, slack-bot, teams, opsgenie]}
                """.formatted(base, cluster), "it", env::get);
    }

    @Test
    void firingAndResolvedReachEachServiceInItsOwnFormat(EmbeddedKafkaBroker broker) throws Exception {
        saas.stubFor(post(urlEqualTo("/services/T000/B000/orders")).willReturn(aResponse().withStatus(200).withBody("ok")));
        saas.stubFor(post(urlEqualTo("/api/chat.postMessage")).withRequestBody(containing("C0ONCALL"))
                .withRequestBody(containing("cluster=orders")).willReturn(aResponse().withStatus(200)
                        .withHeader("Content-Type", "application/json").withBody("{\"ok\":true,\"channel\":\"C0ONCALL\",\"ts\":\"1796094765.000100\"}")));
        saas.stubFor(post(urlPathEqualTo("/workflows/orders/triggers/manual/paths/invoke")).willReturn(aResponse().withStatus(202)));
        saas.stubFor(post(urlEqualTo("/v2/alerts")).willReturn(aResponse().withStatus(202)
                .withBody("{\"result\":\"Request will be processed\",\"took\":0.302,\"requestId\":\"43a29c5c\"}")));
        saas.stubFor(post(urlPathEqualTo("/v2/alerts/replication-lag%2Fcluster%3Dorders%2Fcomponent%3Dorders-db%2Fnode%3Dpg-2/close"))
                .willReturn(aResponse().withStatus(202).withBody("{\"result\":\"Request will be processed\"}")));

        NotifyKafka kafka = NotifyKafka.create(broker);
        Alert firing = TestAlerts.firing("orders", Severity.CRITICAL).build();
        try (NotifyService actuator = new NotifyService(config("orders"), broker.clientProperties(), Clock.systemUTC(), kafka.options()).start()) {
            kafka.send(firing, TestAlerts.resolved(firing, TestAlerts.STARTS_AT.plusSeconds(600)));
            await("FIRING and RESOLVED delivered to all four").atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                    assertThat(kafka.actionRecords()).filteredOn(a -> a.getStatus() == ActionStatus.SUCCEEDED).hasSize(8));
        }

        List<JsonNode> hook = bodies(saas.findAll(postRequestedFor(urlEqualTo("/services/T000/B000/orders"))));
        assertThat(hook).hasSize(2);
        assertThat(hook.get(0)).isEqualTo(JSON.readTree("""
                {"text": "🔴 CRITICAL — replication-lag on orders/pg-2: Replica pg-2 of orders is 95 s behind",
                 "blocks": [
                   {"type": "header", "text": {"type": "plain_text", "text": "🔴 CRITICAL — replication-lag on orders/pg-2"}},
                   {"type": "section", "text": {"type": "mrkdwn",
                    "text": "*Replica pg-2 of orders is 95 s behind*\\nReplication lag stayed above 60 s for 30 s.\\nvalue 95 seconds, threshold 60 seconds"}},
                   {"type": "context", "elements": [
                     {"type": "mrkdwn", "text": "component orders-db · firing since 2026-11-24T03:00:00Z · fingerprint replication-lag/cluster=orders/component=orders-db/node=pg-2"},
                     {"type": "mrkdwn", "text": "<https://runbooks.example.com/replication-lag|runbook>"}]}]}
                """));
        assertThat(hook.get(1).at("/blocks/0/text/text").asText()).isEqualTo("✅ RESOLVED — replication-lag on orders/pg-2");

        List<LoggedRequest> bot = saas.findAll(postRequestedFor(urlEqualTo("/api/chat.postMessage")));
        assertThat(bot).hasSize(2).allSatisfy(request ->
                assertThat(request.getHeader("Authorization")).isEqualTo("Bearer " + BOT_TOKEN));
        JsonNode botFiring = JSON.readTree(bot.get(0).getBodyAsString());
        JsonNode botResolved = JSON.readTree(bot.get(1).getBodyAsString());
        assertThat(botFiring.path("channel").asText()).isEqualTo("C0ONCALL");
        assertThat(botFiring.has("thread_ts")).isFalse();
        assertThat(botResolved.path("thread_ts").asText()).as("the RESOLVED in the FIRING message's thread").isEqualTo("1796094765.000100");
        assertThat(botResolved.path("reply_broadcast").asBoolean()).isTrue();

        List<JsonNode> teams = bodies(saas.findAll(postRequestedFor(urlPathEqualTo("/workflows/orders/triggers/manual/paths/invoke"))));
        assertThat(teams).hasSize(2);
        assertThat(teams.get(0)).isEqualTo(JSON.readTree("""
                {"type": "message", "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": null,
                  "content": {"$schema": "http://adaptivecards.io/schemas/adaptive-card.json", "type": "AdaptiveCard", "version": "1.4",
                    "body": [
                      {"type": "TextBlock", "size": "Large", "weight": "Bolder", "wrap": true, "color": "Attention",
                       "text": "CRITICAL: replication-lag on orders/pg-2"},
                      {"type": "TextBlock", "wrap": true, "weight": "Bolder", "text": "Replica pg-2 of orders is 95 s behind"},
                      {"type": "TextBlock", "wrap": true, "text": "Replication lag stayed above 60 s for 30 s."},
                      {"type": "FactSet", "facts": [
                        {"title": "Component", "value": "orders-db"}, {"title": "Cluster", "value": "orders"}, {"title": "Node", "value": "pg-2"},
                        {"title": "Firing since", "value": "2026-11-24T03:00:00Z"}, {"title": "Value", "value": "value 95 seconds, threshold 60 seconds"},
                        {"title": "Fingerprint", "value": "replication-lag/cluster=orders/component=orders-db/node=pg-2"}]}],
                    "actions": [{"type": "Action.OpenUrl", "title": "Runbook", "url": "https://runbooks.example.com/replication-lag"}]}}]}
                """));
        assertThat(teams.get(1).at("/attachments/0/content/body/0/color").asText()).isEqualTo("Good");

        List<LoggedRequest> created = saas.findAll(postRequestedFor(urlEqualTo("/v2/alerts")));
        assertThat(created).singleElement().satisfies(request -> {
            assertThat(request.getHeader("Authorization")).isEqualTo("GenieKey " + GENIE_KEY);
            assertThat(JSON.readTree(request.getBodyAsString())).isEqualTo(JSON.readTree("""
                    {"message": "Replica pg-2 of orders is 95 s behind", "alias": "replication-lag/cluster=orders/component=orders-db/node=pg-2",
                     "description": "Replica pg-2 of orders is 95 s behind\\n\\nReplication lag stayed above 60 s for 30 s.\\nvalue 95 seconds, threshold 60 seconds",
                     "priority": "P1", "source": "drpilot", "entity": "orders/pg-2",
                     "tags": ["replication-lag", "component:orders-db", "cluster:orders"],
                     "details": {"alertname": "ReplicationLag", "cluster": "orders", "component": "orders-db", "node": "pg-2", "rule": "replication-lag",
                                 "severity": "critical", "firing_since": "2026-11-24T03:00:00Z", "runbook_url": "https://runbooks.example.com/replication-lag"},
                     "responders": [{"type": "team", "name": "dba"}]}
                    """));
        });
        List<LoggedRequest> closed = saas.findAll(postRequestedFor(urlPathEqualTo(
                "/v2/alerts/replication-lag%2Fcluster%3Dorders%2Fcomponent%3Dorders-db%2Fnode%3Dpg-2/close")));
        assertThat(closed).singleElement().satisfies(request -> {
            assertThat(request.queryParameter("identifierType").firstValue()).isEqualTo("alias");
            assertThat(JSON.readTree(request.getBodyAsString()).path("note").asText()).isEqualTo("resolved at 2026-11-24T03:10:00Z");
        });
    }

    @Test
    void aSlackRefusalIsRecordedAndARateLimitIsRetriedAfterItsRetryAfter(EmbeddedKafkaBroker broker) throws Exception {
        saas.stubFor(post(urlEqualTo("/api/chat.postMessage")).withRequestBody(containing("cluster=billing"))
                .willReturn(aResponse().withStatus(200).withBody("{\"ok\":false,\"error\":\"channel_not_found\"}")));
        saas.stubFor(post(urlEqualTo("/services/T000/B000/billing")).inScenario("rate").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "2").withBody("rate_limited")).willSetStateTo("calm"));
        saas.stubFor(post(urlEqualTo("/services/T000/B000/billing")).inScenario("rate").whenScenarioStateIs("calm")
                .willReturn(aResponse().withStatus(200).withBody("ok")));
        saas.stubFor(post(urlPathEqualTo("/workflows/billing/triggers/manual/paths/invoke")).willReturn(aResponse().withStatus(202)));
        saas.stubFor(post(urlEqualTo("/v2/alerts")).withRequestBody(containing("cluster=billing")).willReturn(aResponse().withStatus(422)
                .withBody("{\"message\":\"Request body is not processable. Please check the errors.\",\"errors\":{\"message\":\"Message can not be empty.\"}}")));

        NotifyKafka kafka = NotifyKafka.create(broker);
        Alert billing = TestAlerts.firing("billing", Severity.WARNING).build();
        try (NotifyService actuator = new NotifyService(config("billing"), broker.clientProperties(), Clock.systemUTC(), kafka.options()).start()) {
            kafka.send(billing);
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(kafka.actionRecords())
                    .filteredOn(a -> billing.getFingerprint().equals(a.getFingerprint())).hasSize(4));
        }
        List<ActionRecord> actions = kafka.actionRecords().stream().filter(a -> billing.getFingerprint().equals(a.getFingerprint())).toList();
        assertThat(actions).filteredOn(a -> a.getName().equals("slack-bot")).singleElement().satisfies(action -> {
            assertThat(action.getStatus()).isEqualTo(ActionStatus.FAILED);
            assertThat(action.getAttributes()).containsEntry("reason", "rejected").containsEntry("attempts", "1");
            assertThat(action.getDetail()).contains("channel_not_found").doesNotContain(BOT_TOKEN);
        });
        assertThat(actions).filteredOn(a -> a.getName().equals("opsgenie")).singleElement().satisfies(action -> {
            assertThat(action.getStatus()).isEqualTo(ActionStatus.FAILED);
            assertThat(action.getAttributes()).containsEntry("httpStatus", "422");
            assertThat(action.getDetail()).contains("Message can not be empty").doesNotContain(GENIE_KEY);
        });
        assertThat(actions).filteredOn(a -> a.getName().equals("slack-hook")).singleElement().satisfies(action -> {
            assertThat(action.getStatus()).isEqualTo(ActionStatus.SUCCEEDED);
            assertThat(action.getAttributes()).containsEntry("attempts", "2");
            // Asked to wait 2 s: the worker's own first backoff (about 1 s) would have come back sooner.
            assertThat(Duration.between(action.getStartedAt(), action.getFinishedAt())).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
        });
        assertThat(actions).filteredOn(a -> a.getName().equals("teams")).extracting(ActionRecord::getStatus).containsExactly(ActionStatus.SUCCEEDED);
    }

    private static List<JsonNode> bodies(List<LoggedRequest> requests) throws Exception {
        List<JsonNode> bodies = new ArrayList<>();
        for (LoggedRequest request : requests) {
            bodies.add(JSON.readTree(request.getBodyAsString()));
        }
        return bodies;
    }
}
