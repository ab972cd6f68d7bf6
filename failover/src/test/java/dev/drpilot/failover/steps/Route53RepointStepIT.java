package dev.drpilot.failover.steps;

import com.github.tomakehurst.wiremock.WireMockServer;
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
import software.amazon.awssdk.services.route53.Route53Client;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToXml;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The real SDK v2 Route 53 client (REST-XML) against WireMock answering like Route 53: the exact
 * requests sent, the change polled until INSYNC, AWS errors fatal or retried.
 */
class Route53RepointStepIT {
    private static final String NS = "https://route53.amazonaws.com/doc/2013-04-01/";
    private static final String RRSET = "/2013-04-01/hostedzone/Z0123456789ABC/rrset";
    private static final String CHANGE = "/2013-04-01/change/C2682N5HXP0BZ4";
    private static final Backoff QUICK = new Backoff(Duration.ofMillis(50), Duration.ofMillis(200));

    private final WireMockServer aws = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    private Route53Client route53;
    private final FailoverContext context = Contexts.failingOverTo("10.0.3.17");

    @BeforeEach
    void start() {
        aws.start();
        route53 = CloudSteps.route53Client(Region.AWS_GLOBAL, Optional.of(URI.create("http://127.0.0.1:" + aws.port())),
                StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "secret")));
    }

    @AfterEach
    void stop() {
        route53.close();
        aws.stop();
    }

    private Route53RepointStep step() {
        // As in the console: the zone id with its "/hostedzone/" prefix.
        return new Route53RepointStep(route53, "/hostedzone/Z0123456789ABC", "db.orders.example.com", 30, QUICK);
    }

    private void existingRecords(String... recordSets) {
        aws.stubFor(get(urlPathEqualTo(RRSET)).willReturn(xml(200, "<ListResourceRecordSetsResponse xmlns=\"" + NS + "\"><ResourceRecordSets>"
                + String.join("", recordSets)
                + "<ResourceRecordSet><Name>www.orders.example.com.</Name><Type>A</Type><TTL>300</TTL><ResourceRecords>"
                + "<ResourceRecord><Value>10.0.9.9</Value></ResourceRecord></ResourceRecords></ResourceRecordSet>"
                + "</ResourceRecordSets><IsTruncated>false</IsTruncated><MaxItems>10</MaxItems></ListResourceRecordSetsResponse>")));
    }

    private static String recordSet(String type, String value) {
        return "<ResourceRecordSet><Name>db.orders.example.com.</Name><Type>" + type + "</Type><TTL>30</TTL><ResourceRecords>"
                + "<ResourceRecord><Value>" + value + "</Value></ResourceRecord></ResourceRecords></ResourceRecordSet>";
    }

    private static String changeInfo(String response, String status) {
        return "<" + response + " xmlns=\"" + NS + "\"><ChangeInfo><Id>/change/C2682N5HXP0BZ4</Id><Status>" + status + "</Status>"
                + "<SubmittedAt>2026-11-24T03:00:01.000Z</SubmittedAt><Comment>drpilot</Comment></ChangeInfo></" + response + ">";
    }

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder xml(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "text/xml").withHeader("x-amzn-RequestId", "req-1")
                .withBody("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + body);
    }

    private static String error(String code, String message) {
        return "<ErrorResponse xmlns=\"" + NS + "\"><Error><Type>Sender</Type><Code>" + code + "</Code><Message>" + message
                + "</Message></Error><RequestId>req-1</RequestId></ErrorResponse>";
    }

    private void changeAccepted() {
        aws.stubFor(post(urlPathEqualTo(RRSET + "/")).willReturn(xml(200, changeInfo("ChangeResourceRecordSetsResponse", "PENDING"))));
    }

    private void changePendingThenInSync() {
        aws.stubFor(get(urlPathEqualTo(CHANGE)).inScenario("change").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(xml(200, changeInfo("GetChangeResponse", "PENDING"))).willSetStateTo("in sync"));
        aws.stubFor(get(urlPathEqualTo(CHANGE)).inScenario("change").whenScenarioStateIs("in sync")
                .willReturn(xml(200, changeInfo("GetChangeResponse", "INSYNC"))));
    }

    private static String batch(String changes) {
        return "<ChangeResourceRecordSetsRequest xmlns=\"" + NS + "\"><ChangeBatch>"
                + "<Comment>drpilot incident inc-7: db.orders.example.com to pg-2</Comment><Changes>" + changes + "</Changes>"
                + "</ChangeBatch></ChangeResourceRecordSetsRequest>";
    }

    private static String change(String action, String name, String type, long ttl, String value) {
        return "<Change><Action>" + action + "</Action><ResourceRecordSet><Name>" + name + "</Name><Type>" + type + "</Type><TTL>" + ttl
                + "</TTL><ResourceRecords><ResourceRecord><Value>" + value + "</Value></ResourceRecord></ResourceRecords></ResourceRecordSet></Change>";
    }

    @Test
    void upsertsTheRecordAndPollsTheChangeUntilInSync() throws Exception {
        existingRecords(recordSet("A", "10.0.3.16"));
        changeAccepted();
        changePendingThenInSync();
        assertThat(step().plan(context)).isEqualTo("would UPSERT db.orders.example.com A 10.0.3.17 (TTL 30) in hosted zone Z0123456789ABC and wait until INSYNC");
        assertThat(step().alreadyDone(context)).isFalse();

        StepOutcome outcome;
        try (LogCapture log = new LogCapture()) {
            outcome = step().run(context, Duration.ofSeconds(10));
            assertThat(log.lines()).anySatisfy(line -> assertThat(line).matches("\\[incident=inc-7 cluster=orders step=repoint method=route53] "
                    + "waiting for change C2682N5HXP0BZ4 to be INSYNC: PENDING; retry 1 of \\d+ in 50 ms"));
        }

        List<LoggedRequest> listings = aws.findAll(getRequestedFor(urlPathEqualTo(RRSET)));
        assertThat(listings.get(0).queryParameter("name").firstValue()).isEqualTo("db.orders.example.com");
        assertThat(listings.get(0).queryParameter("maxitems").firstValue()).isEqualTo("10");
        List<LoggedRequest> changes = aws.findAll(postRequestedFor(urlPathEqualTo(RRSET + "/")));
        assertThat(changes).hasSize(1);
        assertThat(changes.get(0).getHeader("Authorization")).contains("Credential=AKIDTEST/").contains("/us-east-1/route53/aws4_request");
        aws.verify(1, postRequestedFor(urlPathEqualTo(RRSET + "/"))
                .withRequestBody(equalToXml(batch(change("UPSERT", "db.orders.example.com", "A", 30, "10.0.3.17")))));
        aws.verify(2, getRequestedFor(urlPathEqualTo(CHANGE)));
        assertThat(outcome.attributes()).isEqualTo(Map.of("changeId", "C2682N5HXP0BZ4", "status", "INSYNC", "recordValue", "10.0.3.17",
                "recordType", "A", "previousValue", "10.0.3.16"));
    }

    @Test
    void aCnameIsReplacedByAnAddressRecordInOneAtomicBatch() throws Exception {
        existingRecords(recordSet("CNAME", "orders-1.abc.eu-west-1.rds.amazonaws.com"));
        changeAccepted();
        changePendingThenInSync();

        step().run(context, Duration.ofSeconds(10));

        aws.verify(1, postRequestedFor(urlPathEqualTo(RRSET + "/")).withRequestBody(equalToXml(batch(
                change("DELETE", "db.orders.example.com.", "CNAME", 30, "orders-1.abc.eu-west-1.rds.amazonaws.com")
                        + change("UPSERT", "db.orders.example.com", "A", 30, "10.0.3.17")))));
    }

    @Test
    void aCnameCandidateGetsACname() throws Exception {
        existingRecords();
        changeAccepted();
        changePendingThenInSync();
        FailoverContext rds = Contexts.failingOverTo("orders-2.abc.eu-west-1.rds.amazonaws.com");

        step().run(rds, Duration.ofSeconds(10));

        aws.verify(1, postRequestedFor(urlPathEqualTo(RRSET + "/"))
                .withRequestBody(equalToXml(batch(change("UPSERT", "db.orders.example.com", "CNAME", 30, "orders-2.abc.eu-west-1.rds.amazonaws.com")))));
    }

    @Test
    void isAlreadyDoneWhenTheRecordPointsAtTheCandidate() throws Exception {
        existingRecords(recordSet("A", "10.0.3.17"));

        assertThat(step().alreadyDone(context)).isTrue();
        assertThat(step().alreadyDone(Contexts.failingOverTo("10.0.3.18"))).isFalse();
        aws.verify(0, postRequestedFor(urlPathEqualTo(RRSET + "/")));
    }

    @Test
    void throttlingIsRetriedWithBackoff() throws Exception {
        existingRecords(recordSet("A", "10.0.3.16"));
        aws.stubFor(post(urlPathEqualTo(RRSET + "/")).inScenario("throttled").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(xml(400, error("Throttling", "Rate exceeded"))).willSetStateTo("calm"));
        aws.stubFor(post(urlPathEqualTo(RRSET + "/")).inScenario("throttled").whenScenarioStateIs("calm")
                .willReturn(xml(200, changeInfo("ChangeResourceRecordSetsResponse", "PENDING"))));
        aws.stubFor(get(urlPathEqualTo(CHANGE)).willReturn(xml(200, changeInfo("GetChangeResponse", "INSYNC"))));

        try (LogCapture log = new LogCapture()) {
            StepOutcome outcome = step().run(context, Duration.ofSeconds(10));
            assertThat(outcome.attributes()).containsEntry("status", "INSYNC");
            assertThat(log.lines()).contains("[incident=inc-7 cluster=orders step=repoint method=route53] "
                    + "ChangeResourceRecordSets failed: Throttling (400): Rate exceeded; retry 1 of 4 in 50 ms");
        }
        aws.verify(2, postRequestedFor(urlPathEqualTo(RRSET + "/")));
    }

    @Test
    void anInvalidRequestFailsWithAwssMessage() {
        existingRecords();
        aws.stubFor(post(urlPathEqualTo(RRSET + "/")).willReturn(xml(400, error("InvalidInput",
                "Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords]], but found none in Change item 1"))));

        assertThatThrownBy(() -> step().run(context, Duration.ofSeconds(10)))
                .isInstanceOf(StepFailedException.class)
                .hasMessage("ChangeResourceRecordSets failed: InvalidInput (400): Invalid request: Expected exactly one of "
                        + "[AliasTarget, all of [TTL, and ResourceRecords]], but found none in Change item 1");
        aws.verify(1, postRequestedFor(urlPathEqualTo(RRSET + "/")));
    }

    @Test
    void aChangeStillPendingAtTheTimeoutFails() {
        existingRecords();
        changeAccepted();
        aws.stubFor(get(urlPathEqualTo(CHANGE)).willReturn(xml(200, changeInfo("GetChangeResponse", "PENDING"))));

        assertThatThrownBy(() -> step().run(context, Duration.ofSeconds(1)))
                .isInstanceOf(StepFailedException.class)
                .hasMessage("timed out after PT1S waiting for change C2682N5HXP0BZ4 to be INSYNC: PENDING");
    }

    @Test
    void aRoutingPolicyRecordIsNotTouched() {
        existingRecords("<ResourceRecordSet><Name>db.orders.example.com.</Name><Type>A</Type><SetIdentifier>eu</SetIdentifier><Weight>50</Weight>"
                + "<TTL>30</TTL><ResourceRecords><ResourceRecord><Value>10.0.3.16</Value></ResourceRecord></ResourceRecords></ResourceRecordSet>");

        assertThatThrownBy(() -> step().run(context, Duration.ofSeconds(1)))
                .isInstanceOf(StepFailedException.class).hasMessageContaining("is an alias or routing-policy record");
        aws.verify(0, postRequestedFor(urlPathEqualTo(RRSET + "/")));
    }
}
