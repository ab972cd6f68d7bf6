package dev.drpilot.k8s;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Every manifest under {@code k8s/}, each YAML document read twice: as a plain tree (what is
 * written) and through fabric8's model (what Kubernetes' types make of it). Kinds fabric8 has
 * no class for (Strimzi's, the Prometheus Operator's) come back as {@link GenericKubernetesResource}.
 */
final class Manifests {
    static final Path DIR = Path.of(System.getProperty("drpilot.k8s.dir", "../k8s")).toAbsolutePath().normalize();
    static final String KUSTOMIZATION = "kustomization.yaml";

    // kubectl rejects a manifest with a key written twice; plain Jackson would keep the last one.
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final KubernetesSerialization KUBERNETES = new KubernetesSerialization();
    private static final List<Doc> ALL = load(DIR);

    /** One YAML document of one file. */
    record Doc(Path file, int index, JsonNode tree, HasMetadata resource) {
        String where() {
            return DIR.relativize(file) + " document " + (index + 1);
        }

        String kind() {
            return tree.path("kind").asText();
        }

        String name() {
            return tree.path("metadata").path("name").asText();
        }
    }

    private Manifests() {
    }

    /** The manifest files: every YAML file under k8s/ but the kustomization itself. */
    static List<Path> files() {
        return files(DIR);
    }

    /** The manifest files under {@code dir}: every YAML file but a kustomization. */
    static List<Path> files(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            return paths.filter(Files::isRegularFile)
                    .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
                    .filter(p -> !p.getFileName().toString().equals(KUSTOMIZATION))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Doc> all() {
        return ALL;
    }

    static JsonNode readTree(Path file) {
        try {
            return YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(file.toString(), e);
        }
    }

    static JsonNode readYaml(String text) {
        try {
            return YAML.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The documents fabric8 reads into {@code type}. */
    static <T extends HasMetadata> List<T> of(Class<T> type) {
        return ALL.stream().map(Doc::resource).filter(type::isInstance).map(type::cast).toList();
    }

    static <T extends HasMetadata> T one(Class<T> type, String name) {
        return of(type).stream().filter(r -> r.getMetadata().getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " named " + name + " under " + DIR));
    }

    /** Documents of a kind fabric8 has no class for, by kind. */
    static List<GenericKubernetesResource> generic(String kind) {
        return ALL.stream().map(Doc::resource).filter(GenericKubernetesResource.class::isInstance)
                .map(GenericKubernetesResource.class::cast).filter(r -> r.getKind().equals(kind)).toList();
    }

    static List<Doc> docs(String kind) {
        return ALL.stream().filter(doc -> doc.kind().equals(kind)).toList();
    }

    /** Every document of the manifests under {@code dir}, read as {@link #all()} reads k8s/. */
    static List<Doc> load(Path dir) {
        List<Doc> docs = new ArrayList<>();
        for (Path file : files(dir)) {
            try (MappingIterator<JsonNode> trees = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
                int index = 0;
                while (trees.hasNext()) {
                    JsonNode tree = trees.next();
                    // A document of comments only (before a leading ---) is no manifest.
                    if (tree != null && !tree.isNull() && !tree.isMissingNode()) {
                        KubernetesResource resource = KUBERNETES.unmarshal(YAML.writeValueAsString(tree), KubernetesResource.class);
                        if (!(resource instanceof HasMetadata hasMetadata)) {
                            throw new AssertionError(file + " document " + (index + 1) + " is not a Kubernetes object: " + resource);
                        }
                        docs.add(new Doc(file, index, tree, hasMetadata));
                    }
                    index++;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        }
        return List.copyOf(docs);
    }
}
