package dev.drpilot.failover.steps;

import dev.drpilot.config.Runbook;
import dev.drpilot.failover.FailoverStep;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.rds.RdsClient;
import software.amazon.awssdk.services.route53.Route53Client;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Builds the Kubernetes, Route 53 and RDS failover steps from a runbook step's options, with the
 * clients the caller made (one per process, shared by every runbook), and builds those clients.
 * A client a runbook does not need may be null.
 */
public final class CloudSteps {
    private CloudSteps() {
    }

    /** {@code repoint} with {@code method: kubernetes} or {@code method: route53}. */
    public static FailoverStep repoint(Runbook.Step step, KubernetesClient kubernetes, Route53Client route53) {
        expect(step, Runbook.Type.REPOINT);
        String method = step.options().getOrDefault("method", "");
        return switch (method) {
            case "kubernetes" -> {
                require(kubernetes, "a Kubernetes client", method);
                String namespace = namespace(step, kubernetes);
                if (step.options().containsKey("deployment")) {
                    yield KubernetesRepointStep.deploymentEnv(kubernetes, namespace, step.options().get("deployment"), option(step, "env", "the env var holding the primary's address"));
                }
                yield KubernetesRepointStep.configMapKey(kubernetes, namespace, option(step, "configMap", "a deployment (with env) or a configMap (with key)"),
                        option(step, "key", "the configMap key holding the primary's address"));
            }
            case "route53" -> {
                require(route53, "a Route 53 client", method);
                yield new Route53RepointStep(route53, option(step, "hostedZoneId", "the hosted zone"), option(step, "recordName", "the DNS name clients use"),
                        Optional.ofNullable(step.options().get("ttl")).map(Long::parseLong).orElse(Route53RepointStep.DEFAULT_TTL));
            }
            default -> throw new IllegalArgumentException("repoint method " + method + " is not a cloud step (kubernetes, route53)");
        };
    }

    /** {@code fence} with {@code method: kubernetes}: scales {@code statefulSet} or {@code deployment} to 0. */
    public static FailoverStep fence(Runbook.Step step, KubernetesClient kubernetes) {
        expect(step, Runbook.Type.FENCE);
        if (!"kubernetes".equals(step.options().get("method"))) {
            throw new IllegalArgumentException("fence method " + step.options().get("method") + " is not a cloud step (kubernetes)");
        }
        require(kubernetes, "a Kubernetes client", "kubernetes");
        String namespace = namespace(step, kubernetes);
        if (step.options().containsKey("statefulSet")) {
            return KubernetesFenceStep.statefulSet(kubernetes, namespace, step.options().get("statefulSet"));
        }
        return KubernetesFenceStep.deployment(kubernetes, namespace, option(step, "deployment", "the statefulSet or deployment running the old primary"));
    }

    /** {@code promote} with {@code method: rds}. */
    public static FailoverStep promote(Runbook.Step step, RdsClient rds) {
        expect(step, Runbook.Type.PROMOTE);
        if (!"rds".equals(step.options().get("method"))) {
            throw new IllegalArgumentException("promote method " + step.options().get("method") + " is not a cloud step (rds)");
        }
        require(rds, "an RDS client", "rds");
        return new RdsPromoteStep(rds);
    }

    /** A client configured like kubectl: the kubeconfig's current context, or in a pod its service account. */
    public static KubernetesClient kubernetesClient() {
        // The JDK's HttpClient, chosen here rather than by whichever factory is on the classpath.
        return new KubernetesClientBuilder().withHttpClientFactory(new JdkHttpClientFactory()).build();
    }

    /** With the SDK's default credentials chain (environment, profile, IAM role of the pod or instance). */
    public static Route53Client route53Client(Region region, Optional<URI> endpoint) {
        return route53Client(region, endpoint, DefaultCredentialsProvider.builder().build());
    }

    /**
     * Route 53 is global: {@code aws-global} is taken as {@code us-east-1}, where Route 53 requests are
     * signed; without this a client with an endpoint override would sign for "aws-global" and be refused.
     */
    public static Route53Client route53Client(Region region, Optional<URI> endpoint, AwsCredentialsProvider credentials) {
        Region signing = Region.AWS_GLOBAL.equals(region) ? Region.US_EAST_1 : region;
        return configure(Route53Client.builder(), signing, endpoint, credentials).build();
    }

    public static RdsClient rdsClient(Region region, Optional<URI> endpoint) {
        return rdsClient(region, endpoint, DefaultCredentialsProvider.builder().build());
    }

    public static RdsClient rdsClient(Region region, Optional<URI> endpoint, AwsCredentialsProvider credentials) {
        return configure(RdsClient.builder(), region, endpoint, credentials).build();
    }

    /**
     * Bounded timeouts, so a hung AWS endpoint cannot hold a failover past its step's timeout for
     * long, and no SDK retries: the steps retry themselves, bounded and logged "retry n of m".
     */
    private static <B extends AwsSyncClientBuilder<B, ?> & AwsClientBuilder<B, ?>> B configure(B builder, Region region, Optional<URI> endpoint,
                                                                                               AwsCredentialsProvider credentials) {
        builder.httpClientBuilder(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(5))
                        .socketTimeout(Duration.ofSeconds(20)))
                .region(region)
                .credentialsProvider(credentials)
                .overrideConfiguration(override -> override
                        .apiCallTimeout(Duration.ofSeconds(30))
                        .retryStrategy(AwsRetryStrategy.doNotRetry()));
        endpoint.ifPresent(builder::endpointOverride);
        return builder;
    }

    private static void expect(Runbook.Step step, Runbook.Type type) {
        if (step.type() != type) {
            throw new IllegalArgumentException("a " + type.name().toLowerCase() + " step was expected, got " + step.type().name().toLowerCase());
        }
    }

    private static void require(Object client, String what, String method) {
        Objects.requireNonNull(client, () -> "method " + method + " needs " + what);
    }

    private static String option(Runbook.Step step, String name, String meaning) {
        String value = step.options().get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(step.type().name().toLowerCase() + " method " + step.options().get("method") + " needs option " + name + ": " + meaning);
        }
        return value;
    }

    /** The step's namespace, else the client's own (the kubeconfig context's, or the pod's). */
    private static String namespace(Runbook.Step step, KubernetesClient kubernetes) {
        return Optional.ofNullable(step.options().get("namespace")).or(() -> Optional.ofNullable(kubernetes.getNamespace())).orElse("default");
    }
}
