package dev.drpilot.config;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * basicAuth, bearer tokens and TLS files of the alertmanager and webhook receivers: bound as Prometheus users write them,
 * secrets masked wherever printed, every problem named by its key (and the file, for TLS). The PEM files under
 * {@code tls/} are throw-away test keys (openssl, 100 years).
 */
class HttpReceiverAuthConfigTest {
    private static final Map<String, String> ENV = Map.of("AM_PASSWORD", "pa55-w0rd", "HOOK_TOKEN", "t0k3n-abc");
    private static Path pem;

    @TempDir
    static Path dir;

    @BeforeAll
    static void files() throws URISyntaxException, IOException {
        pem = Path.of(HttpReceiverAuthConfigTest.class.getResource("/tls/client.crt").toURI()).getParent();
        Files.writeString(dir.resolve("password"), "from-a-file\n");
        Files.writeString(dir.resolve("token"), "file-token");
        Files.writeString(dir.resolve("empty"), "\n");
    }

    private static DrpilotConfig parse(String receivers) {
        String yaml = "receivers:\n" + receivers.replace("_PEM_", pem.toString()).replace("_DIR_", dir.toString());
        return ConfigLoader.parse(yaml, "test.yaml", ENV::get);
    }

    @Test
    void basicAuthAndTlsBindOnAnAlertmanagerReceiver() {
        AlertmanagerReceiver receiver = (AlertmanagerReceiver) parse("""
                  - name: am
                    type: alertmanager
                    urls: ["https://am-0:9093", "https://am-1:9093"]
                    basicAuth: {username: drpilot, password: "${AM_PASSWORD}"}
                    tls: {caFile: _PEM_/client.crt, certFile: _PEM_/client.crt, keyFile: _PEM_/client.key, serverName: alertmanager.internal}
                """).receivers().get(0);
        assertThat(receiver.http().authorization()).contains("Basic " + base64("drpilot:pa55-w0rd"));
        TlsSettings tls = receiver.http().tls().orElseThrow();
        assertThat(tls.caFile()).contains(pem.resolve("client.crt"));
        assertThat(tls.keyFile()).contains(pem.resolve("client.key"));
        assertThat(tls.serverName()).contains("alertmanager.internal");
        assertThat(tls.insecureSkipVerify()).isFalse();
        assertThat(receiver.toString()).doesNotContain("pa55-w0rd");
    }

    @Test
    void secretsComeFromFilesAsPrometheusPasswordFileAndBearerTokenFileDo() {
        DrpilotConfig config = parse("""
                  - {name: am, type: alertmanager, urls: ["http://am:9093"], basicAuth: {username: u, passwordFile: _DIR_/password}}
                  - {name: hook, type: webhook, url: "http://hook", bearerTokenFile: _DIR_/token}
                  - {name: hook-env, type: webhook, url: "https://hook", bearerToken: "${HOOK_TOKEN}", tls: {insecureSkipVerify: true}}
                """);
        assertThat(((AlertmanagerReceiver) config.receivers().get(0)).http().authorization()).contains("Basic " + base64("u:from-a-file"));
        assertThat(((WebhookReceiver) config.receivers().get(1)).http().authorization()).contains("Bearer file-token");
        WebhookReceiver withEnv = (WebhookReceiver) config.receivers().get(2);
        assertThat(withEnv.http().authorization()).contains("Bearer t0k3n-abc");
        assertThat(withEnv.http().tls().orElseThrow().insecureSkipVerify()).isTrue();
    }

    @Test
    void theReceiverWithoutAuthenticationIsUnchanged() {
        WebhookReceiver hook = (WebhookReceiver) parse("  - {name: hook, type: webhook, url: \"http://hook\"}\n").receivers().get(0);
        assertThat(hook.http()).isEqualTo(HttpClientSettings.NONE);
        assertThat(hook.http().authorization()).isEmpty();
    }

    @Test
    void printedConfigurationShowsTheKeysAsWrittenWithSecretsMasked() {
        String printed = ConfigPrinter.toYaml(parse("""
                  - {name: am, type: alertmanager, urls: ["https://am:9093"], basicAuth: {username: drpilot, password: "${AM_PASSWORD}"},
                     tls: {caFile: _PEM_/client.crt}}
                  - {name: hook, type: webhook, url: "http://hook", bearerTokenFile: _DIR_/token}
                """));
        assertThat(printed).contains("basicAuth:", "username: drpilot", "password: \"****** (${AM_PASSWORD})\"", "caFile: " + pem.resolve("client.crt"),
                "bearerToken: '****** (file:" + dir.resolve("token") + ")'").doesNotContain("pa55-w0rd", "file-token", "http:\n");
    }

    @Test
    void pkcs1RsaKeysAreReadAsOpensslWritesThem() {
        WebhookReceiver hook = (WebhookReceiver) parse(
                "  - {name: h, type: webhook, url: \"https://hook\", tls: {certFile: _PEM_/rsa.crt, keyFile: _PEM_/rsa-pkcs1.key}}\n").receivers().get(0);
        assertThat(PemFiles.privateKey(hook.http().tls().orElseThrow().keyFile().orElseThrow()).getAlgorithm()).isEqualTo("RSA");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "{basicAuth: {username: u, password: '${AM_PASSWORD}'}, bearerToken: '${HOOK_TOKEN}'}  | receivers[0].bearerToken: give basicAuth or a bearer token, not both",
            "{basicAuth: {username: u, password: '${AM_PASSWORD}'}, bearerTokenFile: _DIR_/token}     | receivers[0].bearerTokenFile: give basicAuth or a bearer token, not both",
            "{bearerToken: '${HOOK_TOKEN}', bearerTokenFile: _DIR_/token}                               | receivers[0].bearerTokenFile: give bearerToken or bearerTokenFile, not both",
            "{basicAuth: {username: u, password: '${AM_PASSWORD}', passwordFile: _DIR_/password}}       | receivers[0].basicAuth.passwordFile: give password or passwordFile, not both",
            "{basicAuth: {username: u}}                                                              | receivers[0].basicAuth.password: missing",
            "{basicAuth: {password: '${AM_PASSWORD}'}}                                               | receivers[0].basicAuth.username: missing (required)",
            "{basicAuth: {username: u, password: plain-text}}                                        | receivers[0].basicAuth.password: write secrets as ${ENV_VAR} or file:/path",
            "{basicAuth: {username: u, pasword: '${AM_PASSWORD}'}}                                   | receivers[0].basicAuth.pasword: unknown key (did you mean \"password\"?)",
            "{bearerTokenFile: _DIR_/missing}                                                          | receivers[0].bearerTokenFile: cannot read secret file _DIR_/missing",
            "{bearerTokenFile: _DIR_/empty}                                                            | receivers[0].bearerTokenFile: is empty",
            "{tls: {caFile: _DIR_/missing.pem}}                                                        | receivers[0].tls.caFile: cannot read _DIR_/missing.pem (NoSuchFileException)",
            "{tls: {caFile: _PEM_/client.key}}                                                         | receivers[0].tls.caFile: _PEM_/client.key is not a PEM certificate",
            "{tls: {certFile: _PEM_/client.crt, keyFile: _PEM_/client.crt}}                              | receivers[0].tls.keyFile: _PEM_/client.crt is not a PEM private key",
            "{tls: {certFile: _PEM_/client.crt}}                                                       | receivers[0].tls.keyFile: missing: a client certificate needs both certFile and keyFile",
            "{tls: {keyFile: _PEM_/client.key}}                                                        | receivers[0].tls.certFile: missing: a client certificate needs both certFile and keyFile",
            "{tls: {certFile: _PEM_/client.crt, keyFile: _PEM_/other.key}}                               | receivers[0].tls.keyFile: _PEM_/other.key is not the private key of the certificate in _PEM_/client.crt",
            "{tls: {certFile: _PEM_/client.crt, keyFile: _PEM_/sec1.key}}                                | receivers[0].tls.keyFile: _PEM_/sec1.key holds an EC key in SEC1 form: convert it to PKCS#8",
            "{tls: {insecureSkipVerify: maybe}}                                                      | receivers[0].tls.insecureSkipVerify: \"maybe\" is not true or false",
            "{tls: {cafile: _PEM_/client.crt}}                                                         | receivers[0].tls.cafile: unknown key (did you mean \"caFile\"?)",
    })
    void aProblemIsNamedByItsKeyAndFile(String options, String problem) {
        String receiver = "  - {name: hook, type: webhook, url: \"https://hook\", " + options.substring(1) + "\n";
        String expected = problem.replace("_PEM_", pem.toString()).replace("_DIR_", dir.toString());
        assertThatThrownBy(() -> parse(receiver)).isInstanceOf(ConfigException.class).hasMessageContaining(expected)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("pa55-w0rd", "t0k3n-abc", "file-token"));
    }

    @Test
    void tlsOptionsOnAnHttpUrlAreAProblemRatherThanSilentlyUnused() {
        assertThatThrownBy(() -> parse("""
                  - {name: am, type: alertmanager, urls: ["https://am-0:9093", "http://am-1:9093"], tls: {caFile: _PEM_/client.crt}}
                """)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("receivers[0].tls: applies to https:// URLs only, and \"http://am-1:9093\" is not one");
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
