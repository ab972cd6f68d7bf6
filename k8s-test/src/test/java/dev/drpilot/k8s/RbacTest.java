package dev.drpilot.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** drpilot's Kubernetes permissions: what the runbook's Kubernetes steps need, on named objects, nothing more. */
class RbacTest {
    private static final Set<String> STEP_VERBS = Set.of("get", "patch");

    @Test
    void nothingIsGrantedClusterWide() {
        assertThat(Manifests.all()).extracting(Manifests.Doc::kind).doesNotContain("ClusterRole", "ClusterRoleBinding");
    }

    @Test
    void rolesGrantOnlyGetAndPatchOfNamedObjects() {
        assertThat(Manifests.of(Role.class)).isNotEmpty();
        List<String> problems = new ArrayList<>();
        for (Role role : Manifests.of(Role.class)) {
            for (PolicyRule rule : role.getRules()) {
                String where = "Role " + role.getMetadata().getName() + " rule " + rule.getResources();
                if (isNullOrEmpty(rule.getApiGroups()) || rule.getApiGroups().contains("*")) {
                    problems.add(where + ": apiGroups must be named, not " + rule.getApiGroups());
                }
                if (isNullOrEmpty(rule.getResources()) || rule.getResources().stream().anyMatch(r -> r.contains("*"))) {
                    problems.add(where + ": resources must be named");
                }
                if (isNullOrEmpty(rule.getVerbs()) || !STEP_VERBS.containsAll(rule.getVerbs())) {
                    problems.add(where + ": verbs " + rule.getVerbs() + " beyond " + STEP_VERBS);
                }
                if (isNullOrEmpty(rule.getResourceNames()) || rule.getResourceNames().contains("*")) {
                    problems.add(where + ": not scoped by resourceNames");
                }
                if (!isNullOrEmpty(rule.getNonResourceURLs())) {
                    problems.add(where + ": nonResourceURLs");
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void theActuatorsAccountIsBoundToTheRepointRoleInTheApplicationsNamespace() {
        ServiceAccount account = Manifests.one(ServiceAccount.class, Layout.ACTUATOR);
        assertThat(account.getMetadata().getNamespace()).isEqualTo(Layout.NAMESPACE);
        assertThat(Manifests.of(RoleBinding.class)).isNotEmpty().allSatisfy(binding -> {
            assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
            Role role = Manifests.one(Role.class, binding.getRoleRef().getName());
            assertThat(role.getMetadata().getNamespace()).isEqualTo(binding.getMetadata().getNamespace());
            assertThat(binding.getSubjects()).singleElement().satisfies(subject -> {
                assertThat(subject.getKind()).isEqualTo("ServiceAccount");
                assertThat(subject.getName()).isEqualTo(account.getMetadata().getName());
                assertThat(subject.getNamespace()).isEqualTo(account.getMetadata().getNamespace());
            });
        });
    }

    /** Every Kubernetes step of every runbook in drpilot.yaml can do its work with the Roles. */
    @Test
    void theRunbooksKubernetesStepsAreCovered() {
        List<String> covered = new ArrayList<>();
        for (JsonNode runbook : EmbeddedConfig.tree().path("runbooks")) {
            for (JsonNode step : runbook.path("steps")) {
                if (!step.path("method").asText().equals("kubernetes")) {
                    continue;
                }
                String namespace = step.path("namespace").asText();
                assertThat(namespace).as("namespace of %s", step).isNotBlank();
                if (step.has("deployment")) {
                    assertGranted(namespace, "apps", "deployments", step.path("deployment").asText());
                } else if (step.has("statefulSet")) {
                    assertGranted(namespace, "apps", "statefulsets", step.path("statefulSet").asText());
                } else {
                    assertGranted(namespace, "", "configmaps", step.path("configMap").asText());
                }
                covered.add(step.path("type").asText());
            }
        }
        assertThat(covered).as("the runbook in configmap.yaml repoints through Kubernetes").contains("repoint");
    }

    private static void assertGranted(String namespace, String group, String resource, String name) {
        boolean granted = Manifests.of(Role.class).stream()
                .filter(role -> role.getMetadata().getNamespace().equals(namespace))
                .filter(role -> Manifests.of(RoleBinding.class).stream().anyMatch(b -> b.getRoleRef().getName().equals(role.getMetadata().getName())
                        && b.getMetadata().getNamespace().equals(namespace)))
                .flatMap(role -> role.getRules().stream())
                .anyMatch(rule -> rule.getApiGroups().contains(group) && rule.getResources().contains(resource)
                        && rule.getResourceNames().contains(name) && rule.getVerbs().containsAll(STEP_VERBS));
        assertThat(granted).as("a bound Role in %s grants get and patch of %s/%s %s", namespace, group, resource, name).isTrue();
    }

    private static boolean isNullOrEmpty(List<String> list) {
        return list == null || list.isEmpty();
    }
}
