package dev.drpilot.cli;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.drpilot.failover.steps.CloudSteps;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.route53.Route53Client;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * IAM roles for service accounts, as EKS sets them up for a pod: a web identity token file and a role ARN. The AWS
 * SDK's default credentials chain — what every AWS step and receiver of drpilot uses — exchanges the token at STS
 * (a local fake answering as STS does) for session credentials, and a Route 53 call is signed with them. Without the
 * sts module in the distribution the chain skips this source and finds no credentials at all.
 */
class AwsWebIdentityIT {
    // How EKS's pod identity webhook hands the role to the SDK, as JVM system properties (the environment variables
    // AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN, ... are the same settings, and cannot be set from inside a JVM).
    private static final List<String> PROPERTIES = List.of("aws.webIdentityTokenFile", "aws.roleArn", "aws.roleSessionName",
            "aws.region", "aws.endpointUrlSts");
    // Static keys come first in the chain: another test of this JVM may have left some, which would hide the role.
    private static final List<String> STATIC_KEYS = List.of("aws.accessKeyId", "aws.secretAccessKey", "aws.sessionToken");
    private static final String ROLE = "arn:aws:iam::123456789012:role/drpilot-failover";
    private static final String STS_ANSWER = """
            <AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
              <AssumeRoleWithWebIdentityResult>
                <SubjectFromWebIdentityToken>system:serviceaccount:drpilot:drpilot-actuator</SubjectFromWebIdentityToken>
                <Audience>sts.amazonaws.com</Audience>
                <AssumedRoleUser>
                  <Arn>arn:aws:sts::123456789012:assumed-role/drpilot-failover/drpilot-it</Arn>
                  <AssumedRoleId>AROAFAKEROLEID:drpilot-it</AssumedRoleId>
                </AssumedRoleUser>
                <Credentials>
                  <SessionToken>FwoGZXIvYXdzEFAKESESSIONTOKEN</SessionToken>
                  <SecretAccessKey>fakeSecretFromSts</SecretAccessKey>
                  <Expiration>2099-01-01T00:00:00Z</Expiration>
                  <AccessKeyId>ASIAFAKEFROMSTS00001</AccessKeyId>
                </Credentials>
                <Provider>oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE</Provider>
              </AssumeRoleWithWebIdentityResult>
              <ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>
            </AssumeRoleWithWebIdentityResponse>""";

    private final WireMockServer aws = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    private Map<String, String> saved;

    @BeforeEach
    void startFakeAws(@TempDir Path dir) throws IOException {
        aws.start();
        aws.stubFor(post(urlEqualTo("/")).withRequestBody(containing("Action=AssumeRoleWithWebIdentity"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/xml").withBody(STS_ANSWER)));
        aws.stubFor(get(urlPathEqualTo("/2013-04-01/hostedzone")).willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/xml")
                .withBody("<ListHostedZonesResponse xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"><HostedZones/>"
                        + "<IsTruncated>false</IsTruncated><MaxItems>100</MaxItems></ListHostedZonesResponse>")));
        Path token = Files.writeString(dir.resolve("token"), "eyJhbGciOiJSUzI1NiJ9.projected-service-account-token");
        saved = new HashMap<>();
        PROPERTIES.forEach(name -> saved.put(name, System.getProperty(name)));
        STATIC_KEYS.forEach(name -> {
            saved.put(name, System.getProperty(name));
            System.clearProperty(name);
        });
        System.setProperty("aws.webIdentityTokenFile", token.toString());
        System.setProperty("aws.roleArn", ROLE);
        System.setProperty("aws.roleSessionName", "drpilot-it");
        System.setProperty("aws.region", "eu-west-1");
        System.setProperty("aws.endpointUrlSts", aws.baseUrl());
    }

    @AfterEach
    void restore() {
        saved.forEach((name, value) -> {
            if (value == null) {
                System.clearProperty(name);
            } else {
                System.setProperty(name, value);
            }
        });
        aws.stop();
    }

    @Test
    void theDefaultChainExchangesAWebIdentityTokenAtStsAndSignsWithTheSessionCredentials() {
        DefaultCredentialsProvider chain = DefaultCredentialsProvider.builder().build();

        AwsCredentials credentials = chain.resolveCredentials();
        assertThat(credentials).isInstanceOfSatisfying(AwsSessionCredentials.class, session -> {
            assertThat(session.accessKeyId()).isEqualTo("ASIAFAKEFROMSTS00001");
            assertThat(session.sessionToken()).isEqualTo("FwoGZXIvYXdzEFAKESESSIONTOKEN");
        });
        LoggedRequest exchange = aws.findAll(postRequestedFor(urlEqualTo("/"))).get(0);
        assertThat(exchange.getBodyAsString()).contains("RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdrpilot-failover")
                .contains("RoleSessionName=drpilot-it").contains("WebIdentityToken=eyJhbGciOiJSUzI1NiJ9.projected-service-account-token");
        assertThat(exchange.getHeader("Authorization")).as("the exchange itself is unsigned: the token is the proof").isNull();

        // The client the Route 53 repoint step builds, with the chain the step uses.
        try (Route53Client route53 = CloudSteps.route53Client(Region.AWS_GLOBAL, Optional.of(URI.create(aws.baseUrl())), chain)) {
            route53.listHostedZones();
        }
        LoggedRequest signed = aws.findAll(getRequestedFor(urlPathEqualTo("/2013-04-01/hostedzone"))).get(0);
        assertThat(signed.getHeader("Authorization")).startsWith("AWS4-HMAC-SHA256 Credential=ASIAFAKEFROMSTS00001/");
        assertThat(signed.getHeader("X-Amz-Security-Token")).isEqualTo("FwoGZXIvYXdzEFAKESESSIONTOKEN");
    }
}
