package dev.drpilot.config;

import java.util.Optional;

/**
 * AWS CloudWatch, which receives figures (PutMetricData), not alerts: no route names it.
 * {@code endpoint} overrides AWS's (LocalStack, a VPC endpoint).
 */
public record CloudWatchReceiver(String name, String region, Optional<String> endpoint, String namespace) implements Receiver {
    static final String TYPE = "cloudwatch";
    static final String DEFAULT_NAMESPACE = "drpilot";

    @Override
    public String type() {
        return TYPE;
    }

    static Optional<Receiver> bind(String name, Section item) {
        Optional<String> region = item.optionalString("region");
        Optional<String> endpoint = item.optionalString("endpoint");
        String namespace = item.string("namespace", DEFAULT_NAMESPACE);
        if (region.isEmpty()) {
            ReceiverChecks.missing(item, "region", "a cloudwatch receiver needs the AWS region");
        }
        return region.map(awsRegion -> new CloudWatchReceiver(name, awsRegion, endpoint, namespace));
    }
}
