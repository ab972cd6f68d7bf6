package dev.drpilot.notify.receivers;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import dev.drpilot.broker.EmbeddedKafkaBroker;
import dev.drpilot.config.ConfigLoader;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.config.TlsSettings;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.events.ActionStatus;
import dev.drpilot.events.Severity;
import dev.drpilot.notify.NotifyKafka;
import dev.drpilot.notify.NotifyService;
import dev.drpilot.notify.TestAlerts;
import dev.drpilot.testkit.EmbeddedKafkaExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Authenticated receivers against real servers: a real Alertmanager behind its {@code --web.config.file} with
 * {@code basic_auth_users}, another serving TLS that requires a client certificate from a CA made for this class, and
 * an in-JVM HTTPS webhook endpoint that asks for a client certificate. Each server is started once for the class.
 */
// The service only has to run for the duration of the try block; the tests look at its effects.
@SuppressWarnings("try")
@ExtendWith(EmbeddedKafkaExtension.class)
class AuthenticatedReceiversIT {
    private static final String PASSWORD = "c0rrect-h0rse";
    private static final String TOKEN = "hook-t0ken-42";

    @TempDir
    static Path dir;
    private static TestPki pki;
    private static TestPki.Issued client;
    private static AlertmanagerProcess withBasicAuth;
    private static AlertmanagerProcess withClientCertificates;
    private static HttpsServer webhook;
    private static final List<Map<String, String>> webhookRequests = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startServers() throws Exception {
        pki = TestPki.create(dir.resolve("pki"), "drpilot-test-ca");
        client = pki.client("drpilot-notify");
        TestPki.Issued server = pki.server("alertmanager");
        String basic = "Basic " + Base64.getEncoder().encodeToString(("drpilot:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        withBasicAuth = AlertmanagerProcess.start(dir.resolve("am-basic"), Optional.of("""
                basic_auth_users:
                  drpilot: "%s"
                """.formatted(TestPki.bcrypt(PASSWORD))), HttpClient.newHttpClient(), Optional.of(basic));
        SSLContext testClient = TlsContexts.of(tls(Optional.of(client), Optional.empty()));
        withClientCertificates = AlertmanagerProcess.start(dir.resolve("am-tls"), Optional.of("""
                tls_server_config:
                  cert_file: %s
                  key_file: %s
                  client_auth_type: RequireAndVerifyClientCert
                  client_ca_file: %s
                """.formatted(server.certFile(), server.keyFile(), pki.caFile())),
                HttpClient.newBuilder().sslContext(testClient).build(), Optional.empty());
        webhook = startWebhook(pki.serverNamed("hooks", "hooks.internal"));
    }

    @AfterAll
    static void stopServers() {
        for (AutoCloseable server : new AutoCloseable[]{withBasicAuth, withClientCertificates, webhook == null ? null : () -> webhook.stop(0)}) {
            try {
                if (server != null) {
                    server.close();
                }
            } catch (Exception e) {
                // Stopping the others matters more.
            }
        }
    }

    @Test
    void theRightPasswordDeliversAndAWrongOneIsRefusedOnceAndRecorded(EmbeddedKafkaBroker broker) throws Exception {
        Path wrongPassword = Files.writeString(dir.resolve("wrong-password"), "not-the-password\n");
        DrpilotConfig config = ConfigLoader.parse("""
                receivers:
                  - {name: am-right, type: alertmanager, urls: ["%1$s"], basicAuth: {username: drpilot, password: "${AM_PASSWORD}"}}
                  - {name: am-wrong, type: alertmanager, urls: ["%1$s"], basicAuth: {username: drpilot, passwordFile: "%2$s"}}
                """.formatted(withBasicAuth.url(), wrongPassword), "it", Map.of("AM_PASSWORD", PASSWORD)::get);
        NotifyKafka kafka = NotifyKafka.create(broker);
        try (NotifyService notify = new NotifyService(config, broker.clientProperties(), Clock.systemUTC(), kafka.options()).start()) {
            kafka.send(TestAlerts.firing("orders", Severity.CRITICAL).build());
            await("the alert held by the Alertmanager behind basic auth").atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> assertThat(held(withBasicAuth, "orders")).isPresent());
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(outcome(kafka, "am-right").getStatus()).isEqualTo(ActionStatus.SUCCEEDED);
                ActionRecord refused = outcome(kafka, "am-wrong");
                assertThat(refused.getStatus()).isEqualTo(ActionStatus.FAILED);
                // 401 is fatal: recorded at the first attempt, not retried for the whole budget.
                assertThat(refused.getAttributes()).containsEntry("httpStatus", "401").containsEntry("attempts", "1")
                        .containsEntry("reason", "rejected");
                assertThat(refused.getDetail()).doesNotContain("not-the-password", PASSWORD);
            });
        }
    }

    @Test
    void aClientCertificateGetsThroughTlsThatRequiresOneAndNoCertificateIsRefused(EmbeddedKafkaBroker broker) throws Exception {
        DrpilotConfig config = ConfigLoader.parse("""
                receivers:
                  - {name: am-mtls, type: alertmanager, urls: ["%1$s"], tls: {caFile: "%2$s", certFile: "%3$s", keyFile: "%4$s"}}
                  - {name: am-no-cert, type: alertmanager, urls: ["%1$s"], tls: {caFile: "%2$s"}}
                """.formatted(withClientCertificates.url(), pki.caFile(), client.certFile(), client.keyFile()), "it", name -> null);
        NotifyKafka kafka = NotifyKafka.create(broker);
        try (NotifyService notify = new NotifyService(config, broker.clientProperties(), Clock.systemUTC(), kafka.options()).start()) {
            kafka.send(TestAlerts.firing("payments", Severity.WARNING).build());
            await("the alert held by the Alertmanager that requires client certificates").atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> assertThat(held(withClientCertificates, "payments")).isPresent());
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(outcome(kafka, "am-mtls").getStatus()).isEqualTo(ActionStatus.SUCCEEDED);
                ActionRecord refused = outcome(kafka, "am-no-cert");
                assertThat(refused.getStatus()).isEqualTo(ActionStatus.FAILED);
                assertThat(refused.getAttributes()).containsEntry("attempts", "1").containsEntry("reason", "rejected");
                assertThat(refused.getDetail()).contains("the server asks for a client certificate and this receiver has none");
            });
        }
    }

    @Test
    void aWebhookGetsTheBearerTokenOverTlsCheckedAgainstServerName(EmbeddedKafkaBroker broker) throws Exception {
        String url = "https://127.0.0.1:" + webhook.getAddress().getPort() + "/hook";
        DrpilotConfig config = ConfigLoader.parse("""
                receivers:
                  - name: hook
                    type: webhook
                    url: "%1$s"
                    bearerToken: "${HOOK_TOKEN}"
                    tls: {caFile: "%2$s", certFile: "%3$s", keyFile: "%4$s", serverName: hooks.internal}
                  - {name: hook-by-address, type: webhook, url: "%1$s", bearerToken: "${HOOK_TOKEN}", tls: {caFile: "%2$s"}}
                """.formatted(url, pki.caFile(), client.certFile(), client.keyFile()), "it", Map.of("HOOK_TOKEN", TOKEN)::get);
        NotifyKafka kafka = NotifyKafka.create(broker);
        try (NotifyService notify = new NotifyService(config, broker.clientProperties(), Clock.systemUTC(), kafka.options()).start()) {
            kafka.send(TestAlerts.firing("inventory", Severity.CRITICAL).build());
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                assertThat(outcome(kafka, "hook").getStatus()).isEqualTo(ActionStatus.SUCCEEDED);
                // The certificate names hooks.internal, not the address the URL has: without serverName it is refused.
                ActionRecord byAddress = outcome(kafka, "hook-by-address");
                assertThat(byAddress.getStatus()).isEqualTo(ActionStatus.FAILED);
                assertThat(byAddress.getAttributes()).containsEntry("attempts", "1");
            });
            assertThat(webhookRequests).singleElement().satisfies(request -> {
                assertThat(request).containsEntry("authorization", "Bearer " + TOKEN).containsEntry("client", "CN=drpilot-notify");
                assertThat(request.get("body")).contains("\"cluster\":\"inventory\"");
            });
        }
    }

    private static HttpsServer startWebhook(TestPki.Issued certificate) throws Exception {
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        SSLContext context = TlsContexts.of(tls(Optional.of(certificate), Optional.empty()));
        server.setHttpsConfigurator(new HttpsConfigurator(context) {
            @Override
            public void configure(HttpsParameters parameters) {
                SSLParameters ssl = context.getDefaultSSLParameters();
                ssl.setNeedClientAuth(true);
                parameters.setSSLParameters(ssl);
            }
        });
        server.createContext("/hook", exchange -> {
            String clientName;
            try {
                clientName = ((X509Certificate) ((HttpsExchange) exchange).getSSLSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
            } catch (SSLPeerUnverifiedException e) {
                clientName = "none";
            }
            webhookRequests.add(Map.of("authorization", String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")),
                    "client", clientName, "body", new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        return server;
    }

    /** The test's own TLS: trusts the class's CA, shows {@code certificate} when given. */
    private static TlsSettings tls(Optional<TestPki.Issued> certificate, Optional<String> serverName) {
        return new TlsSettings(Optional.of(pki.caFile()), certificate.map(TestPki.Issued::certFile), certificate.map(TestPki.Issued::keyFile),
                serverName, false);
    }

    private static ActionRecord outcome(NotifyKafka kafka, String receiver) {
        List<ActionRecord> records = kafka.actionRecords().stream().filter(record -> receiver.equals(record.getName())).toList();
        assertThat(records).as("the outcome recorded for " + receiver).hasSize(1);
        return records.get(0);
    }

    private static Optional<JsonNode> held(AlertmanagerProcess alertmanager, String cluster) throws Exception {
        for (JsonNode alert : alertmanager.alerts()) {
            if (cluster.equals(alert.at("/labels/cluster").asText())) {
                return Optional.of(alert);
            }
        }
        return Optional.empty();
    }
}
