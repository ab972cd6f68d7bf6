package dev.drpilot.ingest.cloudwatch;

import dev.drpilot.config.CloudWatchSource;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClientBuilder;

import java.net.URI;
import java.time.Duration;

/** CloudWatch clients with bounded timeouts: a slow AWS API must not stall a collector. */
public final class CloudWatchClients {
    private CloudWatchClients() {
    }

    /** A client with the AWS SDK's default credentials chain (environment, profile, IAM role). */
    public static CloudWatchClient create(CloudWatchSource source) {
        return create(source, DefaultCredentialsProvider.builder().build());
    }

    public static CloudWatchClient create(CloudWatchSource source, AwsCredentialsProvider credentials) {
        CloudWatchClientBuilder builder = CloudWatchClient.builder()
                .credentialsProvider(credentials)
                .region(Region.of(source.region()))
                .httpClientBuilder(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(5))
                        .socketTimeout(Duration.ofSeconds(10)))
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .apiCallTimeout(Duration.ofSeconds(30))
                        .build());
        source.endpoint().map(URI::create).ifPresent(builder::endpointOverride);
        return builder.build();
    }
}
