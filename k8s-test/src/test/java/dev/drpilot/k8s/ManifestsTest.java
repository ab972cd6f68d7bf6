package dev.drpilot.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;

/** Every document under k8s/: a kind we expect, its API version, a name, a namespace, no unknown fields. */
class ManifestsTest {
    private record Expected(String apiVersion, Class<? extends HasMetadata> type, boolean namespaced) {
    }

    // The kinds drpilot ships, each with the one API version it is written against. A kind
    // missing here is a new kind: add it deliberately, with its checks.
    private static final Map<String, Expected> KINDS = Map.ofEntries(
            Map.entry("Namespace", new Expected("v1", Namespace.class, false)),
            Map.entry("ConfigMap", new Expected("v1", ConfigMap.class, true)),
            Map.entry("Service", new Expected("v1", Service.class, true)),
            Map.entry("ServiceAccount", new Expected("v1", ServiceAccount.class, true)),
            Map.entry("Deployment", new Expected("apps/v1", Deployment.class, true)),
            Map.entry("Role", new Expected("rbac.authorization.k8s.io/v1", Role.class, true)),
            Map.entry("RoleBinding", new Expected("rbac.authorization.k8s.io/v1", RoleBinding.class, true)),
            Map.entry("NetworkPolicy", new Expected("networking.k8s.io/v1", NetworkPolicy.class, true)),
            Map.entry("ServiceMonitor", new Expected("monitoring.coreos.com/v1", GenericKubernetesResource.class, true)),
            Map.entry("PrometheusRule", new Expected("monitoring.coreos.com/v1", GenericKubernetesResource.class, true)),
            Map.entry("Kafka", new Expected("kafka.strimzi.io/v1", GenericKubernetesResource.class, true)),
            Map.entry("KafkaNodePool", new Expected("kafka.strimzi.io/v1", GenericKubernetesResource.class, true)),
            Map.entry("KafkaTopic", new Expected("kafka.strimzi.io/v1", GenericKubernetesResource.class, true)),
            Map.entry("KafkaUser", new Expected("kafka.strimzi.io/v1", GenericKubernetesResource.class, true)));

    @Test
    void theManifestsAreThere() {
        assertThat(Manifests.files()).as("manifests under %s", Manifests.DIR).hasSizeGreaterThanOrEqualTo(10);
        assertThat(Manifests.all()).extracting(Manifests.Doc::kind).containsAll(KINDS.keySet());
    }

    @Test
    void everyDocumentHasAKnownKindItsApiVersionANameAndANamespace() {
        List<String> problems = new ArrayList<>();
        for (Manifests.Doc doc : Manifests.all()) {
            Expected expected = KINDS.get(doc.kind());
            if (expected == null) {
                problems.add(doc.where() + ": unexpected kind '" + doc.kind() + "'");
                continue;
            }
            HasMetadata resource = doc.resource();
            if (!expected.apiVersion().equals(resource.getApiVersion())) {
                problems.add(doc.where() + ": " + doc.kind() + " has apiVersion " + resource.getApiVersion() + ", expected " + expected.apiVersion());
            }
            if (!expected.type().isInstance(resource)) {
                problems.add(doc.where() + ": read as " + resource.getClass().getSimpleName() + ", expected " + expected.type().getSimpleName());
            }
            if (resource.getMetadata() == null || isBlank(resource.getMetadata().getName())) {
                problems.add(doc.where() + ": no metadata.name");
                continue;
            }
            String namespace = resource.getMetadata().getNamespace();
            if (expected.namespaced() && isBlank(namespace)) {
                problems.add(doc.where() + ": " + doc.kind() + " " + doc.name() + " has no metadata.namespace");
            }
            if (!expected.namespaced() && namespace != null) {
                problems.add(doc.where() + ": " + doc.kind() + " is cluster-scoped but has a namespace");
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void typedDocumentsHaveNoFieldTheirKubernetesTypeLacks() {
        List<String> problems = new ArrayList<>();
        for (Manifests.Doc doc : Manifests.all()) {
            UnknownFields.in(doc.resource()).forEach(field -> problems.add(doc.where() + " (" + doc.kind() + " " + doc.name() + "): unknown field " + field));
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void namesAreUniquePerKindAndNamespace() {
        List<String> keys = Manifests.all().stream()
                .map(doc -> doc.kind() + " " + doc.resource().getMetadata().getNamespace() + "/" + doc.name()).toList();
        assertThat(keys).doesNotHaveDuplicates();
    }

    @Test
    void kustomizationListsEveryManifestAndOnlyExistingOnes() {
        JsonNode kustomization = Manifests.readTree(Manifests.DIR.resolve(Manifests.KUSTOMIZATION));
        assertThat(kustomization.path("apiVersion").asText()).isEqualTo("kustomize.config.k8s.io/v1beta1");
        assertThat(kustomization.path("kind").asText()).isEqualTo("Kustomization");
        // A namespace transformer would move the Role out of the application's namespace.
        assertThat(kustomization.has("namespace")).as("kustomization.yaml sets no namespace").isFalse();

        List<String> listed = StreamSupport.stream(kustomization.path("resources").spliterator(), false).map(JsonNode::asText).toList();
        assertThat(listed).doesNotHaveDuplicates();
        for (String resource : listed) {
            assertThat(Manifests.DIR.resolve(resource)).as("kustomization.yaml lists %s", resource).isRegularFile();
        }
        TreeSet<String> files = new TreeSet<>();
        for (Path file : Manifests.files()) {
            files.add(Manifests.DIR.relativize(file).toString().replace('\\', '/'));
        }
        assertThat(new TreeSet<>(listed)).as("resources of kustomization.yaml").isEqualTo(files);
    }

    @Test
    void everythingIsInDrpilotsNamespaceButTheRepointPermissions() {
        List<String> elsewhere = Manifests.all().stream()
                .filter(doc -> doc.resource().getMetadata().getNamespace() != null)
                .filter(doc -> !doc.resource().getMetadata().getNamespace().equals(Layout.NAMESPACE))
                .map(doc -> doc.kind() + " " + doc.resource().getMetadata().getNamespace() + "/" + doc.name())
                .toList();
        assertThat(elsewhere).containsExactlyInAnyOrder(
                "Role " + Layout.APP_NAMESPACE + "/drpilot-repoint", "RoleBinding " + Layout.APP_NAMESPACE + "/drpilot-repoint");
        assertThat(Manifests.one(Namespace.class, Layout.NAMESPACE)).isNotNull();
    }

    private static boolean isBlank(String text) {
        return text == null || text.isBlank();
    }
}
