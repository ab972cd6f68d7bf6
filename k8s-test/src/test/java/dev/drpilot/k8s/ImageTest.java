package dev.drpilot.k8s;

import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/** The Deployments run the image the build produces, as the user it was built for. */
class ImageTest {
    @ParameterizedTest
    @ValueSource(strings = {Layout.INGEST, Layout.DETECTOR, Layout.ACTUATOR})
    void runsTheImageTheBuildProduces(String name) {
        String built = System.getProperty("drpilot.image");
        assertThat(built).as("system property drpilot.image (set from the parent pom by k8s-test/pom.xml)").isNotBlank();
        assertThat(DeploymentsTest.container(Manifests.one(Deployment.class, name)).getImage())
                .as("%s image: change drpilot.image in the parent pom and k8s/ together", name)
                .isEqualTo(built);
    }

    @ParameterizedTest
    @ValueSource(strings = {Layout.INGEST, Layout.DETECTOR, Layout.ACTUATOR})
    void runsAsTheImagesUser(String name) {
        // Another uid would work too, but would own no entry in the image's /etc/passwd
        // (user.name "?" and no home for the JVM).
        PodSecurityContext pod = Manifests.one(Deployment.class, name).getSpec().getTemplate().getSpec().getSecurityContext();
        assertThat(pod.getRunAsUser()).as("%s runAsUser", name).isEqualTo(Layout.IMAGE_UID);
        assertThat(pod.getRunAsGroup()).as("%s runAsGroup", name).isEqualTo(Layout.IMAGE_UID);
    }
}
