package dev.drpilot.k8s;

/** Names the manifests agree on, in one place for the tests. */
final class Layout {
    static final String NAMESPACE = "drpilot";
    /** Where the application drpilot repoints runs. */
    static final String APP_NAMESPACE = "orders";
    static final String CONFIG_MAP = "drpilot-config";
    static final String CONFIG_KEY = "drpilot.yaml";
    static final String CONFIG_PATH = "/etc/drpilot/drpilot.yaml";
    static final String SECRET = "drpilot-secrets";
    static final String SECRET_DIR = "/var/run/secrets/drpilot";
    static final String ACTUATOR = "drpilot-actuator";
    static final String INGEST = "drpilot-ingest";
    static final String DETECTOR = "drpilot-detector";
    static final String KAFKA = "drpilot";
    /** Each Deployment's own Kafka login, from its KafkaUser's Secret; drpilot.yaml's kafka.properties refers to it. */
    static final String KAFKA_JAAS_ENV = "KAFKA_SASL_JAAS_CONFIG";
    /** The Secret Strimzi keeps the cluster CA's certificate in: {@code <cluster>-cluster-ca-cert}. */
    static final String KAFKA_CA_SECRET = KAFKA + "-cluster-ca-cert";
    /** The user drpilot of the image (image/pom.xml, image/src/main/sh/build-rootfs.sh). */
    static final long IMAGE_UID = 65532;

    private Layout() {
    }
}
