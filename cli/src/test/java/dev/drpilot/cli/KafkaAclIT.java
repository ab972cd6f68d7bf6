package dev.drpilot.cli;

import dev.drpilot.broker.EmbeddedKafkaBroker;
import dev.drpilot.config.ConfigLoader;
import dev.drpilot.config.KafkaSettings;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.detector.DetectorService;
import dev.drpilot.events.Alert;
import dev.drpilot.events.BackupObservation;
import dev.drpilot.events.BackupStatus;
import dev.drpilot.events.BackupTool;
import dev.drpilot.events.FailoverCommand;
import dev.drpilot.events.FailoverMode;
import dev.drpilot.events.Source;
import dev.drpilot.failover.FailoverActuator;
import dev.drpilot.events.ActionRecord;
import dev.drpilot.failover.AuditLog;
import dev.drpilot.failover.DeadLetters;
import dev.drpilot.failover.FailoverService;
import dev.drpilot.failover.OperatorControls;
import dev.drpilot.schemas.topic.AccessPolicy;
import dev.drpilot.schemas.topic.AccessPolicy.Principal;
import dev.drpilot.schemas.topic.TopicAdmin;
import dev.drpilot.schemas.topic.Topics;
import dev.drpilot.testkit.KafkaTestClients;
import dev.drpilot.testkit.TestNames;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * drpilot's services against a broker that authenticates (SASL_SSL, SCRAM-SHA-512) and authorizes
 * (StandardAuthorizer) with exactly the ACLs of {@link AccessPolicy} — the table the k8s
 * KafkaUsers are checked against: each service works as its own principal (the detector's real
 * Kafka Streams application and the real failover service among them), and what the table does
 * not allow (ingest writing commands, anyone but the operator writing control records) the broker
 * refuses.
 */
class KafkaAclIT {
    private static final String LISTENER = "SECURE";
    private static final String STORE_PASSWORD = "changeit";

    @TempDir
    static Path dir;

    private static EmbeddedKafkaBroker broker;
    private static AuditLog audit;
    private static OperatorControls controls;
    private static String secureBootstrap;
    private static Path caPem;
    private static final Map<Principal, String> passwords = new EnumMap<>(Principal.class);

    @BeforeAll
    static void startSecuredBroker() throws Exception {
        Path keystore = dir.resolve("broker.p12");
        caPem = dir.resolve("ca.pem");
        keytool("-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=localhost",
                "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", STORE_PASSWORD, "-keypass", STORE_PASSWORD);
        keytool("-exportcert", "-rfc", "-alias", "broker", "-keystore", keystore.toString(), "-storepass", STORE_PASSWORD,
                "-file", caPem.toString());
        int port = freePort();
        String prefix = "listener.name." + LISTENER.toLowerCase() + ".";
        broker = EmbeddedKafkaBroker.builder(dir.resolve("kafka")).listener(LISTENER, port, "SASL_SSL")
                .brokerProperty(prefix + "sasl.enabled.mechanisms", "SCRAM-SHA-512")
                .brokerProperty(prefix + "scram-sha-512.sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required;")
                .brokerProperty(prefix + "ssl.keystore.location", keystore.toString())
                .brokerProperty(prefix + "ssl.keystore.type", "PKCS12")
                .brokerProperty(prefix + "ssl.keystore.password", STORE_PASSWORD)
                .brokerProperty(prefix + "ssl.key.password", STORE_PASSWORD)
                .brokerProperty("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer")
                // The broker's own principal: it talks to its controller, and this test sets up users and ACLs, over
                // the plaintext listeners, unauthenticated. The services use the SASL_SSL listener only.
                .brokerProperty("super.users", "User:ANONYMOUS")
                .build().start();
        secureBootstrap = "127.0.0.1:" + port;

        try (Admin admin = Admin.create(broker.clientProperties())) {
            TopicAdmin.ensureTopics(admin, Topics.all(), 1, Optional.empty(), Duration.ofSeconds(30));
            List<UserScramCredentialAlteration> users = new ArrayList<>();
            for (Principal principal : Principal.values()) {
                passwords.put(principal, UUID.randomUUID().toString());
                users.add(new UserScramCredentialUpsertion(principal.user(), new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096),
                        passwords.get(principal)));
            }
            admin.alterUserScramCredentials(users).all().get(30, TimeUnit.SECONDS);
            admin.createAcls(AccessPolicy.bindings()).all().get(30, TimeUnit.SECONDS);
        }
    }

    @AfterAll
    static void stopBroker() {
        if (audit != null) {
            audit.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void ingestPublishesObservationsButCannotCommand() throws Exception {
        try (KafkaProducer<byte[], byte[]> ingest = producer(Principal.INGEST, Map.of())) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    ingest.send(record(Topics.HEALTH_OBSERVATIONS.name())).get(10, TimeUnit.SECONDS));
            ingest.send(record(Topics.COLLECTOR_HEARTBEATS.name())).get(10, TimeUnit.SECONDS);
        }
        assertRefused(Principal.INGEST, Topics.FAILOVER_COMMANDS.name());
        assertRefused(Principal.INGEST, Topics.FAILOVER_CONTROL.name());
        assertRefused(Principal.INGEST, Topics.ALERTS.name());
    }

    @Test
    void theNodeAgentWritesItsLeaseAndItsEvidenceButCannotCommand() throws Exception {
        // Idempotent and acks=all, as the agent's own producer: its Write on the topics is all it needs.
        try (KafkaProducer<byte[], byte[]> agent = producer(Principal.AGENT, Map.of(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true))) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    agent.send(record(Topics.AGENT_LEASES.name())).get(10, TimeUnit.SECONDS));
            agent.send(record(Topics.HEALTH_OBSERVATIONS.name())).get(10, TimeUnit.SECONDS);
        }
        assertRefused(Principal.AGENT, Topics.FAILOVER_COMMANDS.name());
        assertRefused(Principal.AGENT, Topics.ACTIONS.name());
        assertRefused(Principal.INGEST, Topics.AGENT_LEASES.name());
    }

    @Test
    void recoveryPublishesRestoreChecksAndNothingElse() throws Exception {
        try (KafkaProducer<byte[], byte[]> recovery = producer(Principal.RECOVERY, Map.of())) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    recovery.send(record(Topics.RESTORE_CHECKS.name())).get(10, TimeUnit.SECONDS));
        }
        assertRefused(Principal.RECOVERY, Topics.BACKUP_OBSERVATIONS.name());
        assertRefused(Principal.RECOVERY, Topics.ALERTS.name());
        assertRefused(Principal.INGEST, Topics.RESTORE_CHECKS.name());
    }

    @Test
    void theDetectorRunsItsExactlyOnceProducerOnItsTopics() throws Exception {
        try (KafkaProducer<byte[], byte[]> ingest = producer(Principal.INGEST, Map.of())) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    ingest.send(record(Topics.REPLICATION_OBSERVATIONS.name())).get(10, TimeUnit.SECONDS));
        }
        // As Kafka Streams does it with exactly_once_v2: read in the application's group, write and commit the
        // input offsets in one transaction under a transactional id prefixed by the application id.
        String group = AccessPolicy.DETECTOR_PREFIX + "-" + TestNames.unique("it");
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(Principal.DETECTOR, group);
             KafkaProducer<byte[], byte[]> producer = producer(Principal.DETECTOR,
                     Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, AccessPolicy.DETECTOR_PREFIX + "-" + UUID.randomUUID() + "-1"))) {
            consumer.subscribe(List.of(Topics.REPLICATION_OBSERVATIONS.name()));
            List<ConsumerRecord<byte[], byte[]>> read = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(read::add);
                return !read.isEmpty();
            });
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(record(Topics.ALERTS.name()));
            producer.send(record(Topics.FAILOVER_COMMANDS.name()));
            ConsumerRecord<byte[], byte[]> last = read.get(read.size() - 1);
            producer.sendOffsetsToTransaction(Map.of(new TopicPartition(last.topic(), last.partition()), new OffsetAndMetadata(last.offset() + 1)),
                    consumer.groupMetadata());
            producer.commitTransaction();
        }
        assertRefused(Principal.DETECTOR, Topics.FAILOVER_CONTROL.name());
    }

    @Test
    void theDetectorServiceRaisesAnAlertAsItsOwnPrincipal() throws Exception {
        // The real Kafka Streams application, exactly-once, its internal topics and group named after its application id.
        String component = TestNames.unique("acl-data");
        DrpilotConfig config = ConfigLoader.parse("""
                components: [{name: %1$s, kind: data, rpo: 15m}]
                backups: [{component: %1$s, tool: report-only}]
                """.formatted(component), "detector.yaml", name -> null);
        String applicationId = AccessPolicy.DETECTOR_PREFIX + "-" + TestNames.unique("acl");
        try (DetectorService detector = new DetectorService(config, clientProperties(Principal.DETECTOR), applicationId,
                dir.resolve(applicationId)).start();
             KafkaProducer<String, BackupObservation> ingest = new KafkaProducer<>(clientProperties(Principal.INGEST), new StringSerializer(),
                     Topics.BACKUP_OBSERVATIONS.valueSerde().serializer())) {
            BackupObservation failed = BackupObservation.newBuilder().setObservedAt(Instant.now())
                    .setSource(Source.newBuilder().setCollectorId("acl-job").setVantage("acl").build()).setComponent(component)
                    .setTool(BackupTool.REPORT).setStatus(BackupStatus.FAILED).setError("backup-push exited 1").build();
            ingest.send(new ProducerRecord<>(Topics.BACKUP_OBSERVATIONS.name(), component, failed)).get(30, TimeUnit.SECONDS);

            await("the detector, as " + Principal.DETECTOR.user() + ", to raise backup-failed").atMost(Duration.ofSeconds(90))
                    .untilAsserted(() -> assertThat(readable(Topics.ALERTS.name(), Topics.ALERTS.valueSerde().deserializer()))
                            .extracting(Alert::getFingerprint).contains("backup-failed/component=" + component));
            assertThat(detector.state()).isEqualTo(KafkaStreams.State.RUNNING);
        }
    }

    @Test
    void theFailoverActuatorRecordsARunbookAsItsOwnPrincipal() throws Exception {
        // The real failover service: its consumer group, the control topic read, the cluster's transactional recorder.
        String cluster = TestNames.unique("acl-fo");
        DrpilotConfig config = ConfigLoader.parse("""
                components: [{name: %1$s-db, kind: database, cluster: %1$s}]
                clusters:
                  %1$s:
                    component: %1$s-db
                    nodes: [{name: pg-1, role: primary, host: 127.0.0.1, port: %2$d}, {name: pg-2, host: 127.0.0.1, port: %3$d}]
                """.formatted(cluster, freePort(), freePort()), "failover.yaml", name -> null);
        String incident = cluster + "-incident";
        Instant now = Instant.now();
        FailoverCommand command = FailoverCommand.newBuilder().setCommandId(incident + "-1").setIncidentId(incident).setCluster(cluster)
                .setComponent(cluster + "-db").setFailedNode("pg-1").setReason("acl test").setMode(FailoverMode.DRY_RUN)
                .setDetectedAt(now).setIssuedAt(now).build();
        try (FailoverActuator actuator = new FailoverActuator(config, clientProperties(Principal.ACTUATOR), Clock.systemUTC()).start();
             KafkaProducer<String, FailoverCommand> detector = new KafkaProducer<>(clientProperties(Principal.DETECTOR), new StringSerializer(),
                     Topics.FAILOVER_COMMANDS.valueSerde().serializer())) {
            detector.send(new ProducerRecord<>(Topics.FAILOVER_COMMANDS.name(), cluster, command)).get(30, TimeUnit.SECONDS);

            await("the failover, as " + Principal.ACTUATOR.user() + ", to record the dry run's end").atMost(Duration.ofSeconds(90))
                    .untilAsserted(() -> assertThat(readable(Topics.ACTIONS.name(), Topics.ACTIONS.valueSerde().deserializer()))
                            .extracting(ActionRecord::getActionId).contains(incident + "/summary"));
            assertThat(actuator.workers()).allSatisfy(worker -> assertThat(worker.alive()).as(worker.name()).isTrue());
        }
    }

    @Test
    void theFailoverReadsCommandsAndControlRecordsAndWritesActionsButNeitherCommandsNorControlRecords() throws Exception {
        byte[] marker = UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8);
        try (KafkaProducer<byte[], byte[]> detector = producer(Principal.DETECTOR, Map.of())) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    detector.send(new ProducerRecord<>(Topics.FAILOVER_COMMANDS.name(), marker, marker)).get(10, TimeUnit.SECONDS));
        }
        try (KafkaConsumer<byte[], byte[]> failover = consumer(Principal.ACTUATOR, FailoverService.GROUP)) {
            failover.subscribe(List.of(Topics.FAILOVER_COMMANDS.name(), Topics.FAILOVER_CONTROL.name()));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                boolean seen = false;
                for (ConsumerRecord<byte[], byte[]> record : failover.poll(Duration.ofMillis(200))) {
                    seen |= Arrays.equals(record.value(), marker);
                }
                return seen;
            });
            failover.commitSync(Duration.ofSeconds(10));
        }
        try (KafkaProducer<byte[], byte[]> actuator = producer(Principal.ACTUATOR, Map.of())) {
            actuator.send(record(Topics.ACTIONS.name())).get(10, TimeUnit.SECONDS);
            actuator.send(record(Topics.DEAD_LETTER.name())).get(10, TimeUnit.SECONDS);
        }
        assertRefused(Principal.ACTUATOR, Topics.FAILOVER_COMMANDS.name());
        assertRefused(Principal.ACTUATOR, Topics.FAILOVER_CONTROL.name());
    }

    @Test
    void onlyTheOperatorWritesControlRecordsAndTheAuditNamesItsPrincipal() throws Exception {
        String cluster = TestNames.unique("acl-orders");
        // The CLI as people run it: the Kafka login comes from the configuration's kafka.properties.
        Path config = Files.writeString(dir.resolve("operator.yaml"), operatorConfig());
        CliRun cli = new CliRun();
        assertThat(cli.run("failover", "pause", cluster, "--config", config.toString(), "--by", "alice")).as(cli.err.toString()).isZero();
        Optional<ActionRecord> pause = controls().pause(cluster);
        assertThat(pause).hasValueSatisfying(record -> assertThat(record.getAttributes())
                .containsEntry("by", "alice").containsEntry("principal", Principal.OPERATOR.user()));

        for (Principal other : List.of(Principal.ACTUATOR, Principal.DETECTOR, Principal.INGEST)) {
            try (KafkaProducer<String, ActionRecord> producer = new KafkaProducer<>(clientProperties(other), new StringSerializer(),
                    Topics.FAILOVER_CONTROL.valueSerde().serializer())) {
                OperatorControls.Writer writer = new OperatorControls.Writer(producer, Clock.systemUTC(), other.user());
                assertThatThrownBy(() -> writer.resume(cluster, "mallory")).as("%s resumes", other)
                        .rootCause().isInstanceOf(TopicAuthorizationException.class);
            }
        }
        assertThat(controls().pause(cluster)).as("the pause stands").isPresent();
    }

    @Test
    void aSwitchoverIsOrderedAsTheOperatorPrincipal() throws Exception {
        String cluster = TestNames.unique("acl-sw");
        Path config = Files.writeString(dir.resolve(cluster + ".yaml"), operatorConfig() + """
                components: [{name: %1$s-db, kind: database}]
                clusters:
                  %1$s:
                    component: %1$s-db
                    nodes: [{name: pg-1, role: primary, host: 10.0.0.1}, {name: pg-2, host: 10.0.0.2}]
                """.formatted(cluster));
        CliRun cli = new CliRun();
        assertThat(cli.run("switchover", cluster, "--to", "pg-2", "--config", config.toString())).as(cli.err.toString()).isZero();
        String incident = cli.out.toString().replaceAll("(?s).*requested as (\\S+).*", "$1");
        assertThat(controls().order(incident)).hasValueSatisfying(order -> assertThat(order.getAttributes())
                .containsEntry("principal", Principal.OPERATOR.user()).containsEntry("incident", incident));

        // drpilot status reads the observations, leases and actions as the operator: a missing grant fails it.
        CliRun status = new CliRun();
        assertThat(status.run("status", cluster, "--config", config.toString())).as(status.err.toString()).isZero();
        assertThat(status.out.toString()).contains(cluster + "  pg-1");
    }

    @Test
    void aDrillRunsAsTheDrillPrincipal() throws Exception {
        // A dry-run drill: the pauses read whole, the command written, drpilot.actions read for its summary, the run recorded.
        // No actuator here (the other tests leave unreadable records on drpilot.actions, which hold an actuator's failovers
        // back): the drill waits 3 s for a summary that does not come, which it can tell only by reading what it may read.
        String cluster = TestNames.unique("acl-drill");
        Path config = Files.writeString(dir.resolve(cluster + ".yaml"), loginConfig(Principal.DRILL) + """
                components: [{name: %1$s-db, kind: database, cluster: %1$s}]
                clusters:
                  %1$s:
                    component: %1$s-db
                    nodes: [{name: pg-1, role: primary, host: 10.0.0.1}, {name: pg-2, host: 10.0.0.2}]
                drills:
                  reportDirectory: %2$s
                  plans: [{name: dry, kind: failover-dry-run, cluster: %1$s, timeout: 3s}]
                """.formatted(cluster, dir.resolve("drills")));
        CliRun cli = new CliRun();
        assertThat(cli.run("drill", "run", "dry", "--config", config.toString())).as(cli.err.toString()).isEqualTo(1);
        assertThat(cli.out.toString()).contains("| 1 | admission | PASSED |", "the failover actuator recorded no summary of drill-dry-");
        assertThat(readable(Topics.FAILOVER_COMMANDS.name(), Topics.FAILOVER_COMMANDS.valueSerde().deserializer()))
                .anySatisfy(command -> assertThat(command.getIncidentId()).startsWith("drill-dry-").endsWith("-dry-run"));
        assertThat(readable(Topics.ACTIONS.name(), Topics.ACTIONS.valueSerde().deserializer())).as("the run recorded as the drill principal")
                .anySatisfy(record -> assertThat(record.getActionId()).startsWith("drill-dry-").endsWith("/summary"));
        // A switchover drill's order: the drill principal countersigns as the operator does.
        try (KafkaProducer<String, ActionRecord> producer = new KafkaProducer<>(clientProperties(Principal.DRILL), new StringSerializer(),
                Topics.FAILOVER_CONTROL.valueSerde().serializer())) {
            new OperatorControls.Writer(producer, Clock.systemUTC(), Principal.DRILL.user()).order(cluster + "-sw", cluster, "drpilot drill", "acl test");
        }
        assertThat(controls().order(cluster + "-sw")).isPresent();
        assertRefused(Principal.DRILL, Topics.AGENT_COMMANDS.name());
        assertRefused(Principal.DRILL, Topics.HEALTH_OBSERVATIONS.name());
    }

    @Test
    void aClientWithoutTheRightPasswordIsNotLetIn() {
        Map<String, Object> props = new HashMap<>(clientProperties(Principal.OPERATOR));
        props.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"drpilot-operator\" password=\"guess\";");
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 20_000);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            assertThatThrownBy(() -> producer.send(record(Topics.FAILOVER_CONTROL.name())).get(30, TimeUnit.SECONDS))
                    .satisfies(error -> assertThat(error).hasRootCauseInstanceOf(SaslAuthenticationException.class));
        }
    }

    /** The control records as the failover reads them; as the broker itself, to see what was written. */
    private static synchronized OperatorControls controls() {
        if (controls == null) {
            audit = new AuditLog(KafkaTestClients.producer(broker, new StringSerializer(), Topics.ACTIONS.valueSerde().serializer()),
                    broker.clientProperties());
            controls = new OperatorControls(broker.clientProperties(), DeadLetters.open(broker.clientProperties(), audit, Clock.systemUTC()));
        }
        return controls;
    }

    private static void assertRefused(Principal principal, String topic) {
        try (KafkaProducer<byte[], byte[]> producer = producer(principal, Map.of())) {
            assertThatThrownBy(() -> producer.send(record(topic)).get(30, TimeUnit.SECONDS)).as("%s writes %s", principal, topic)
                    .rootCause().isInstanceOf(TopicAuthorizationException.class);
        }
    }

    /** The records of a topic that are what they should be: the other tests here write bare bytes to the same topics. */
    private static <V> List<V> readable(String topic, Deserializer<V> values) {
        List<V> found = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : KafkaTestClients.read(broker, topic, 10_000, new ByteArrayDeserializer(),
                new ByteArrayDeserializer(), Duration.ofSeconds(2))) {
            try {
                found.add(values.deserialize(topic, record.value()));
            } catch (RuntimeException notAnEvent) {
                assertThat(new String(record.value(), StandardCharsets.UTF_8)).as("only this class's bare test records fail to read: %s",
                        notAnEvent).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
            }
        }
        return found;
    }

    private static ProducerRecord<byte[], byte[]> record(String topic) {
        byte[] bytes = UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8);
        return new ProducerRecord<>(topic, bytes, bytes);
    }

    private static KafkaProducer<byte[], byte[]> producer(Principal principal, Map<String, Object> extra) {
        Map<String, Object> props = new HashMap<>(clientProperties(principal));
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 20_000);
        props.putAll(extra);
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static KafkaConsumer<byte[], byte[]> consumer(Principal principal, String group) {
        Map<String, Object> props = new HashMap<>(clientProperties(principal));
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** The client properties a service gets from drpilot.yaml as the k8s ConfigMap writes it, its login from the environment. */
    private static Map<String, Object> clientProperties(Principal principal) {
        String yaml = """
                kafka:
                  bootstrapServers: %s
                  properties:
                    security.protocol: SASL_SSL
                    sasl.mechanism: SCRAM-SHA-512
                    sasl.jaas.config: ${KAFKA_SASL_JAAS_CONFIG}
                    ssl.truststore.type: PEM
                    ssl.truststore.location: %s
                """.formatted(secureBootstrap, caPem);
        KafkaSettings settings = ConfigLoader.parse(yaml, principal.user() + ".yaml",
                name -> name.equals("KAFKA_SASL_JAAS_CONFIG") ? jaas(principal) : null).kafka();
        try (KafkaConnection connection = KafkaConnection.open(settings, null, false, null, "acl test")) {
            return connection.clientProperties();
        }
    }

    /** The Kafka part of an operator's drpilot.yaml, the login written in (people keep it in their own file). */
    private static String operatorConfig() {
        return loginConfig(Principal.OPERATOR);
    }

    private static String loginConfig(Principal principal) {
        return """
                kafka:
                  bootstrapServers: %s
                  properties:
                    security.protocol: SASL_SSL
                    sasl.mechanism: SCRAM-SHA-512
                    sasl.jaas.config: %s
                    ssl.truststore.type: PEM
                    ssl.truststore.location: %s
                """.formatted(secureBootstrap, "'" + jaas(principal) + "'", caPem);
    }

    private static String jaas(Principal principal) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + principal.user()
                + "\" password=\"" + passwords.get(principal) + "\";";
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("keytool %s: %s", args[0], output).isZero();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
