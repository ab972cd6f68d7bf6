package dev.drpilot.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drpilot.config.ConfigException;
import dev.drpilot.config.ConfigLoader;
import dev.drpilot.config.DrpilotConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/** The drpilot.yaml of the ConfigMap is one drpilot itself accepts, pointing at the Kafka of kafka.yaml. */
class ConfigMapTest {
    @TempDir
    Path secrets;

    @Test
    void drpilotAcceptsTheEmbeddedConfiguration() throws IOException {
        DrpilotConfig config = parse();
        assertThat(config.clusters()).containsKey("orders");
        assertThat(config.receivers()).isNotEmpty();
    }

    @Test
    void theIngestApiListensOnThePodAddressOnlyWithATokenThatIsNoVantage() throws IOException {
        DrpilotConfig config = parse();
        assertThat(config.ingestApi().bind()).isEqualTo("0.0.0.0");
        assertThat(config.ingestApi().allowUnauthenticated()).isFalse();
        assertThat(config.ingestApi().sources()).singleElement().satisfies(source -> {
            assertThat(source.token().source()).isEqualTo("${INGEST_API_TOKEN}");
            assertThat(source.vantage()).isFalse();
        });
    }

    @Test
    void itUsesTheStrimziClustersBootstrapService() throws IOException {
        JsonNode kafka = Manifests.docs("Kafka").get(0).tree();
        JsonNode secure = null;
        for (JsonNode listener : kafka.path("spec").path("kafka").path("listeners")) {
            if (listener.path("tls").asBoolean(false) && listener.path("type").asText().equals("internal")) {
                secure = listener;
            }
        }
        assertThat(secure).as("a TLS internal listener in kafka.yaml").isNotNull();
        String bootstrap = kafka.path("metadata").path("name").asText() + "-kafka-bootstrap."
                + kafka.path("metadata").path("namespace").asText() + ".svc:" + secure.path("port").asInt();
        assertThat(parse().kafka().bootstrapServers()).contains(bootstrap);
    }

    @Test
    void secretsAreReferencesNeverValues() {
        assertThat(EmbeddedConfig.envReferences()).isNotEmpty();
        assertThat(EmbeddedConfig.fileReferences()).isNotEmpty()
                .allSatisfy(path -> assertThat(path).startsWith(Layout.SECRET_DIR + "/"));
    }

    /**
     * Parses the file with every {@code ${VAR}} set and the secret files it names created in a
     * temporary directory standing in for the mounted Secret: drpilot reads those at parse time.
     */
    private DrpilotConfig parse() throws IOException {
        String yaml = EmbeddedConfig.text();
        for (String path : EmbeddedConfig.fileReferences()) {
            Path file = secrets.resolve(Path.of(Layout.SECRET_DIR).relativize(Path.of(path)).toString());
            Files.createDirectories(file.getParent());
            Files.writeString(file, "x\n");
        }
        yaml = yaml.replace("file:" + Layout.SECRET_DIR + "/", "file:" + secrets.toAbsolutePath() + "/");
        try {
            return ConfigLoader.parse(yaml, "k8s/configmap.yaml", env -> "x");
        } catch (ConfigException e) {
            return fail(e.getMessage());
        }
    }
}
