package dev.drpilot.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drpilot.config.BackupSource;
import dev.drpilot.config.ConfigException;
import dev.drpilot.config.ConfigLoader;
import dev.drpilot.config.DrillSettings;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.config.RestoreCheckSettings;
import dev.drpilot.schemas.topic.AccessPolicy.Principal;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * deploy/k8s-recovery/: {@code drpilot recovery} and {@code drpilot drill serve} as Deployments. Checked against what a
 * restore needs (the server binaries and pgBackRest in the image, its user not root, a scratch volume under the
 * configured scratch directory), the principals they log in as (KafkaUsers of k8s/), and their drpilot.yaml against
 * drpilot's own configuration loader.
 */
class RecoveryDeploymentsTest {
    private static final Path DIR = Manifests.DIR.resolveSibling("deploy").resolve("k8s-recovery");
    private static final List<Manifests.Doc> DOCS = Manifests.load(DIR);
    private static final Pattern ENV = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");
    private static final long POSTGRES_UID = 999;

    @Test
    void everyDocumentIsAKnownKindInDrpilotsNamespaceWithoutUnknownFields() {
        assertThat(DOCS).extracting(Manifests.Doc::kind)
                .containsExactlyInAnyOrder("ConfigMap", "Deployment", "Deployment", "PersistentVolumeClaim");
        List<String> problems = new ArrayList<>();
        for (Manifests.Doc doc : DOCS) {
            if (!Layout.NAMESPACE.equals(doc.resource().getMetadata().getNamespace())) {
                problems.add(doc.where() + ": namespace " + doc.resource().getMetadata().getNamespace());
            }
            UnknownFields.in(doc.resource()).forEach(field -> problems.add(doc.where() + ": unknown field " + field));
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void theKustomizationListsEveryManifest() {
        JsonNode kustomization = Manifests.readTree(DIR.resolve(Manifests.KUSTOMIZATION));
        Set<String> listed = new TreeSet<>();
        StreamSupport.stream(kustomization.path("resources").spliterator(), false).map(JsonNode::asText).forEach(listed::add);
        Set<String> files = new TreeSet<>();
        Manifests.files(DIR).forEach(file -> files.add(DIR.relativize(file).toString()));
        assertThat(listed).isEqualTo(files);
    }

    @ParameterizedTest(name = "{0} runs `{1}` as {2}")
    @CsvSource({"drpilot-recovery, recovery, RECOVERY", "drpilot-drill, drill serve, DRILL"})
    void eachRunsItsCommandAloneAsItsOwnPrincipal(String name, String command, Principal principal) {
        Deployment deployment = deployment(name);
        Container container = container(deployment);
        List<String> expected = new ArrayList<>(List.of(command.split(" ")));
        expected.addAll(List.of("--config", Layout.CONFIG_PATH));
        assertThat(container.getArgs()).containsExactlyElementsOf(expected);
        assertThat(deployment.getSpec().getReplicas()).as("two pods would run each check or drill twice").isEqualTo(1);
        assertThat(deployment.getSpec().getStrategy().getType()).as("no second pod during a rollout").isEqualTo("Recreate");

        EnvVar jaas = env(container, Layout.KAFKA_JAAS_ENV);
        assertThat(jaas.getValueFrom().getSecretKeyRef().getName()).isEqualTo(principal.user());
        assertThat(Manifests.docs("KafkaUser")).as("k8s/kafka-users.yaml has the KafkaUser %s", principal.user())
                .extracting(Manifests.Doc::name).contains(principal.user());

        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        assertThat(pod.getSecurityContext().getRunAsUser()).as("the image's postgres user: PostgreSQL refuses root").isEqualTo(POSTGRES_UID);
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
                .as("kafka.yaml's listener admits drpilot's pods").containsEntry("app.kubernetes.io/part-of", "drpilot");

        Path truststore = Path.of(config().kafka().properties().get("ssl.truststore.location"));
        assertThat(volume(deployment, mount(container, truststore.getParent().toString()).getName()).getSecret().getSecretName())
                .isEqualTo(Layout.KAFKA_CA_SECRET);
        assertThat(volume(deployment, mount(container, "/etc/drpilot").getName()).getConfigMap().getName()).isEqualTo("drpilot-recovery-config");

        Set<String> given = new TreeSet<>();
        container.getEnv().forEach(variable -> given.add(variable.getName()));
        assertThat(given).as("every ${VARIABLE} the configuration refers to").containsAll(referencedVariables());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"drpilot-recovery", "drpilot-drill"})
    void restoresGoToAScratchVolumeOfTheirOwn(String name) {
        Deployment deployment = deployment(name);
        Container container = container(deployment);
        for (BackupSource backup : config().backups()) {
            RestoreCheckSettings check = backup.restoreCheck().orElseThrow();
            VolumeMount mount = mountOver(container, check.scratchDirectory());
            assertThat(check.scratchDirectory()).as("a directory below the mount point, which holds lost+found")
                    .isNotEqualTo(Path.of(mount.getMountPath()));
            Volume volume = volume(deployment, mount.getName());
            assertThat(volume.getEphemeral()).as("%s: scratch space for a whole database, gone with the pod", mount.getName()).isNotNull();
            assertThat(volume.getEphemeral().getVolumeClaimTemplate().getSpec().getResources().getRequests().get("storage").toString())
                    .isEqualTo("100Gi");
            assertThat(check.environment()).containsKey("PGBACKREST_CONFIG");
            mountOver(container, Path.of(check.environment().get("PGBACKREST_CONFIG")));
        }
        assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        mount(container, "/tmp");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"drpilot-recovery, 8085", "drpilot-drill, 8086"})
    void aDeadScheduleThreadRestartsThePod(String name, int defaultPort) {
        Container container = container(deployment(name));
        // The port the command serves /healthz on by default (--metrics-listen; the args do not change it).
        assertThat(container.getArgs()).noneMatch(arg -> arg.startsWith("--metrics-listen"));
        assertThat(container.getPorts()).singleElement().satisfies(port -> {
            assertThat(port.getName()).isEqualTo("metrics");
            assertThat(port.getContainerPort()).isEqualTo(defaultPort);
        });
        for (var probe : List.of(container.getLivenessProbe(), container.getStartupProbe())) {
            assertThat(probe.getHttpGet().getPath()).isEqualTo("/healthz");
            assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("metrics");
        }
    }

    @Test
    void theDrillReportsOutliveThePod() {
        Deployment deployment = deployment("drpilot-drill");
        DrillSettings drills = config().drills();
        assertThat(drills.plans()).extracting(DrillSettings.Drill::name).contains("orders-monthly-switchover", "orders-quarterly-restore");
        assertThat(drills.plans()).allSatisfy(drill -> assertThat(drill.schedule()).as(drill.name()).isPresent());
        Volume reports = volume(deployment, mountOver(container(deployment), drills.reportDirectory()).getName());
        assertThat(reports.getPersistentVolumeClaim().getClaimName()).isEqualTo("drpilot-drill-reports");
        assertThat(Manifests.load(DIR)).extracting(Manifests.Doc::name).contains("drpilot-drill-reports");
    }

    @Test
    void theImageHasTheServerBinariesAndPgBackRestAndRunsAsPostgres() throws IOException {
        String dockerfile = Files.readString(DIR.resolve("Dockerfile"));
        assertThat(dockerfile).contains("FROM postgres:${PG_MAJOR}-bookworm").contains("install -y --no-install-recommends pgbackrest")
                .contains("/usr/lib/postgresql/${PG_MAJOR}/bin").contains("USER postgres").contains("dev.drpilot.cli.Main");
        for (String name : List.of("drpilot-recovery", "drpilot-drill")) {
            assertThat(container(deployment(name)).getImage()).as(name).startsWith("ghcr.io/drpilot/drpilot-recovery:").endsWith("-pg15");
        }
    }

    private static DrpilotConfig config() {
        try {
            return ConfigLoader.parse(configText(), "deploy/k8s-recovery/configmap.yaml", variable -> "x");
        } catch (ConfigException e) {
            return fail(e.getMessage());
        }
    }

    private static Set<String> referencedVariables() {
        Set<String> referenced = new TreeSet<>();
        Matcher matcher = ENV.matcher(configText());
        while (matcher.find()) {
            referenced.add(matcher.group(1));
        }
        return referenced;
    }

    private static String configText() {
        return DOCS.stream().map(Manifests.Doc::resource).filter(ConfigMap.class::isInstance).map(ConfigMap.class::cast)
                .map(map -> map.getData().get(Layout.CONFIG_KEY)).findFirst().orElseThrow();
    }

    private static Deployment deployment(String name) {
        return DOCS.stream().map(Manifests.Doc::resource).filter(Deployment.class::isInstance).map(Deployment.class::cast)
                .filter(deployment -> deployment.getMetadata().getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no Deployment " + name));
    }

    private static Container container(Deployment deployment) {
        assertThat(deployment.getSpec().getTemplate().getSpec().getContainers()).hasSize(1);
        return deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    private static EnvVar env(Container container, String name) {
        return container.getEnv().stream().filter(variable -> variable.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(container.getName() + " has no " + name));
    }

    private static VolumeMount mount(Container container, String path) {
        return container.getVolumeMounts().stream().filter(mount -> mount.getMountPath().equals(path)).findFirst()
                .orElseThrow(() -> new AssertionError(container.getName() + " mounts nothing at " + path));
    }

    /** The mount that holds {@code path} (the longest mount path it lies under). */
    private static VolumeMount mountOver(Container container, Path path) {
        return container.getVolumeMounts().stream().filter(mount -> path.startsWith(Path.of(mount.getMountPath())))
                .max((a, b) -> Integer.compare(a.getMountPath().length(), b.getMountPath().length()))
                .orElseThrow(() -> new AssertionError(container.getName() + " mounts nothing over " + path));
    }

    private static Volume volume(Deployment deployment, String name) {
        return deployment.getSpec().getTemplate().getSpec().getVolumes().stream().filter(volume -> volume.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no volume " + name));
    }
}
