package dev.drpilot.failover.steps;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.drpilot.failover.FailoverContext;
import dev.drpilot.failover.StepFailedException;
import dev.drpilot.failover.StepOutcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.rds.RdsClient;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The real SDK v2 RDS client (AWS Query protocol: form-encoded POSTs, XML answers) against
 * WireMock answering like RDS.
 */
class RdsPromoteStepIT {
    private static final String NS = "http://rds.amazonaws.com/doc/2014-10-31/";
    private static final Backoff QUICK = new Backoff(Duration.ofMillis(50), Duration.ofMillis(200));

    private final WireMockServer aws = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    private RdsClient rds;
    private final FailoverContext context = Contexts.failingOverTo(Contexts.node("pg-2", "orders-2.abc.eu-west-1.rds.amazonaws.com", 5432,
            Optional.of("orders-replica")));

    @BeforeEach
    void start() {
        aws.start();
        rds = CloudSteps.rdsClient(Region.EU_WEST_1, Optional.of(URI.create("http://127.0.0.1:" + aws.port())),
                StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "secret")));
    }

    @AfterEach
    void stop() {
        rds.close();
        aws.stop();
    }

    private RdsPromoteStep step() {
        return new RdsPromoteStep(rds, QUICK);
    }

    private static ResponseDefinitionBuilder xml(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "text/xml").withBody(body);
    }

    private static String instance(String status, String source) {
        return "<DBInstance><DBInstanceIdentifier>orders-replica</DBInstanceIdentifier><DBInstanceStatus>" + status + "</DBInstanceStatus>"
                + "<Engine>postgres</Engine>"
                + (source == null ? "" : "<ReadReplicaSourceDBInstanceIdentifier>" + source + "</ReadReplicaSourceDBInstanceIdentifier>")
                + "<Endpoint><Address>orders-replica.abc.eu-west-1.rds.amazonaws.com</Address><Port>5432</Port></Endpoint></DBInstance>";
    }

    private static String described(String status, String source) {
        return "<DescribeDBInstancesResponse xmlns=\"" + NS + "\"><DescribeDBInstancesResult><DBInstances>" + instance(status, source)
                + "</DBInstances></DescribeDBInstancesResult><ResponseMetadata><RequestId>req-2</RequestId></ResponseMetadata></DescribeDBInstancesResponse>";
    }

    private static String promoted() {
        return "<PromoteReadReplicaResponse xmlns=\"" + NS + "\"><PromoteReadReplicaResult>" + instance("modifying", "orders-primary")
                + "</PromoteReadReplicaResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></PromoteReadReplicaResponse>";
    }

    private static String error(String code, String message) {
        return "<ErrorResponse xmlns=\"" + NS + "\"><Error><Type>Sender</Type><Code>" + code + "</Code><Message>" + message
                + "</Message></Error><RequestId>req-3</RequestId></ErrorResponse>";
    }

    private void onAction(String action, ResponseDefinitionBuilder answer) {
        aws.stubFor(post(urlPathEqualTo("/")).withRequestBody(containing("Action=" + action)).willReturn(answer));
    }

    /** DescribeDBInstances answers each of {@code answers} once, in order, then the last one again and again. */
    private void describeAnswers(ResponseDefinitionBuilder... answers) {
        for (int i = 0; i < answers.length; i++) {
            aws.stubFor(post(urlPathEqualTo("/")).withRequestBody(containing("Action=DescribeDBInstances")).inScenario("describe")
                    .whenScenarioStateIs(i == 0 ? Scenario.STARTED : "look " + i).willReturn(answers[i])
                    .willSetStateTo(i == answers.length - 1 ? "look " + i : "look " + (i + 1)));
        }
    }

    private List<Map<String, String>> sent(String action) {
        return aws.findAll(postRequestedFor(urlPathEqualTo("/")).withRequestBody(containing("Action=" + action))).stream()
                .map(RdsPromoteStepIT::form).toList();
    }

    private static Map<String, String> form(LoggedRequest request) {
        return Arrays.stream(request.getBodyAsString().split("&")).map(pair -> pair.split("=", 2))
                .collect(Collectors.toMap(pair -> pair[0], pair -> URLDecoder.decode(pair[1], StandardCharsets.UTF_8)));
    }

    @Test
    void promotesTheReplicaAndWaitsUntilItIsAvailableAndStandalone() throws Exception {
        onAction("PromoteReadReplica", xml(200, promoted()));
        describeAnswers(xml(200, described("available", "orders-primary")), xml(200, described("modifying", "orders-primary")),
                xml(200, described("rebooting", null)), xml(200, described("available", null)));
        assertThat(step().plan(context))
                .isEqualTo("would promote RDS read replica orders-replica (node pg-2) to a standalone instance and wait until it is available");
        assertThat(step().alreadyDone(context)).isFalse();

        StepOutcome outcome;
        try (LogCapture log = new LogCapture()) {
            outcome = step().run(context, Duration.ofSeconds(10));
            assertThat(log.lines()).anySatisfy(line -> assertThat(line).matches("\\[incident=inc-7 cluster=orders step=promote method=rds] "
                    + "waiting for orders-replica to be available and standalone: modifying, replica of orders-primary; retry 1 of \\d+ in 50 ms"));
        }

        List<LoggedRequest> promotes = aws.findAll(postRequestedFor(urlPathEqualTo("/")).withRequestBody(containing("Action=PromoteReadReplica")));
        assertThat(promotes).hasSize(1);
        assertThat(promotes.get(0).getHeader("Content-Type")).startsWith("application/x-www-form-urlencoded");
        assertThat(promotes.get(0).getHeader("Authorization")).contains("Credential=AKIDTEST/").contains("/eu-west-1/rds/aws4_request");
        assertThat(sent("PromoteReadReplica")).containsExactly(Map.of("Action", "PromoteReadReplica", "Version", "2014-10-31",
                "DBInstanceIdentifier", "orders-replica"));
        assertThat(sent("DescribeDBInstances")).hasSize(4).allSatisfy(request -> assertThat(request)
                .isEqualTo(Map.of("Action", "DescribeDBInstances", "Version", "2014-10-31", "DBInstanceIdentifier", "orders-replica")));
        assertThat(outcome.attributes()).isEqualTo(Map.of("rdsInstanceId", "orders-replica", "status", "available",
                "endpoint", "orders-replica.abc.eu-west-1.rds.amazonaws.com"));
        assertThat(outcome.detail()).isEqualTo("promoted RDS read replica orders-replica (node pg-2): available after 3 looks");
        assertThat(step().alreadyDone(context)).isTrue();
    }

    @Test
    void aPromotionAlreadyUnderWayIsWaitedFor() throws Exception {
        onAction("PromoteReadReplica", xml(400, error("InvalidDBInstanceState", "DB Instance is not in an available state.")));
        describeAnswers(xml(200, described("modifying", "orders-primary")), xml(200, described("available", null)));

        StepOutcome outcome = step().run(context, Duration.ofSeconds(10));

        assertThat(outcome.attributes()).containsEntry("status", "available");
        assertThat(sent("PromoteReadReplica")).hasSize(1);
    }

    @Test
    void aRefusalWhileNotPromotingFailsWithAwssMessage() {
        onAction("PromoteReadReplica", xml(400, error("InvalidDBInstanceState", "DB Instance is not in an available state.")));
        describeAnswers(xml(200, described("storage-full", "orders-primary")));

        assertThatThrownBy(() -> step().run(context, Duration.ofSeconds(10)))
                .isInstanceOf(StepFailedException.class)
                .hasMessage("PromoteReadReplica of orders-replica failed: InvalidDBInstanceState (400): DB Instance is not in an available state. "
                        + "(instance storage-full, replica of orders-primary)");
    }

    @Test
    void anInvalidParameterFailsWithAwssMessage() {
        onAction("PromoteReadReplica", xml(400, error("InvalidParameterValue", "The parameter DBInstanceIdentifier is not a valid identifier.")));

        assertThatThrownBy(() -> step().run(context, Duration.ofSeconds(10)))
                .isInstanceOf(StepFailedException.class)
                .hasMessage("PromoteReadReplica failed: InvalidParameterValue (400): The parameter DBInstanceIdentifier is not a valid identifier.");
        assertThat(sent("PromoteReadReplica")).hasSize(1);
    }

    @Test
    void throttlingIsRetried() throws Exception {
        aws.stubFor(post(urlPathEqualTo("/")).withRequestBody(containing("Action=PromoteReadReplica")).inScenario("throttled")
                .whenScenarioStateIs(Scenario.STARTED).willReturn(xml(400, error("Throttling", "Rate exceeded"))).willSetStateTo("calm"));
        aws.stubFor(post(urlPathEqualTo("/")).withRequestBody(containing("Action=PromoteReadReplica")).inScenario("throttled")
                .whenScenarioStateIs("calm").willReturn(xml(200, promoted())));
        describeAnswers(xml(200, described("available", null)));

        try (LogCapture log = new LogCapture()) {
            step().run(context, Duration.ofSeconds(10));
            assertThat(log.lines()).contains("[incident=inc-7 cluster=orders step=promote method=rds] "
                    + "PromoteReadReplica failed: Throttling (400): Rate exceeded; retry 1 of 4 in 50 ms");
        }
        assertThat(sent("PromoteReadReplica")).hasSize(2);
    }

    @Test
    void persistentThrottlingGivesUpAfterTheLastRetry() {
        onAction("PromoteReadReplica", xml(400, error("Throttling", "Rate exceeded")));

        assertThatThrownBy(() -> step().run(context, Duration.ofSeconds(10)))
                .isInstanceOf(StepFailedException.class)
                .hasMessage("PromoteReadReplica failed after 4 retries: Throttling (400): Rate exceeded");
        assertThat(sent("PromoteReadReplica")).hasSize(5);
    }

    @Test
    void anUnknownInstanceIsFatal() {
        onAction("DescribeDBInstances", xml(404, error("DBInstanceNotFound", "DBInstance orders-replica not found.")));

        assertThatThrownBy(() -> step().alreadyDone(context))
                .isInstanceOf(StepFailedException.class)
                .hasMessage("DescribeDBInstances failed: DBInstanceNotFound (404): DBInstance orders-replica not found.");
    }

    @Test
    void aCandidateWithoutRdsInstanceIdSaysWhatToSet() {
        FailoverContext plain = Contexts.failingOverTo("pg-2");

        assertThatThrownBy(() -> step().run(plain, Duration.ofSeconds(10)))
                .isInstanceOf(StepFailedException.class)
                .hasMessage("node pg-2 of cluster orders has no rdsInstanceId: set rdsInstanceId on that node in clusters.orders.nodes "
                        + "to the DB instance identifier of its RDS read replica");
        assertThat(aws.getAllServeEvents()).isEmpty();
    }
}
