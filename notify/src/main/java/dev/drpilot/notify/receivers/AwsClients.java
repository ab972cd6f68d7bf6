package dev.drpilot.notify.receivers;

import dev.drpilot.notify.delivery.DeliveryException;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/** What the SNS and CloudWatch receivers share: how their SDK clients are built and how their errors are sorted. */
final class AwsClients {
    private AwsClients() {
    }

    /**
     * Bounded timeouts, and no retries inside the SDK: the receiver's worker retries with its own
     * backoff and budget, and logs each retry, instead of retries hiding inside one attempt.
     */
    static <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> C build(B builder, String region, Optional<String> endpoint,
                                                                                      AwsCredentialsProvider credentials, Duration timeout) {
        builder.credentialsProvider(credentials)
                .region(Region.of(region))
                .httpClientBuilder(UrlConnectionHttpClient.builder().connectionTimeout(timeout).socketTimeout(timeout))
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .retryStrategy(AwsRetryStrategy.doNotRetry())
                        .apiCallTimeout(timeout.multipliedBy(2))
                        .build());
        endpoint.map(URI::create).ifPresent(builder::endpointOverride);
        return builder.build();
    }

    /** Throttling, 5xx and no answer are retriable; any other service error (invalid parameter, access denied) is fatal. */
    static DeliveryException sorted(String service, SdkException error) {
        if (error instanceof AwsServiceException aws) {
            String reason = service + " " + aws.statusCode() + " " + (aws.awsErrorDetails() == null ? aws.getMessage()
                    : aws.awsErrorDetails().errorCode() + ": " + aws.awsErrorDetails().errorMessage());
            boolean retriable = aws.isThrottlingException() || aws.statusCode() >= 500 || aws.statusCode() == 429;
            return retriable ? DeliveryException.retriable(reason, aws.statusCode()) : DeliveryException.fatal(reason, aws.statusCode());
        }
        if (error instanceof SdkClientException) {
            return DeliveryException.retriable(service + " unreachable: " + error.getMessage(), error);
        }
        return DeliveryException.retriable(service + " failed: " + error.getMessage(), error);
    }
}
