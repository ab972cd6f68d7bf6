package dev.drpilot.config;

import java.util.Optional;

/** An AWS SNS topic; {@code endpoint} overrides AWS's (LocalStack, a VPC endpoint). */
public record SnsReceiver(String name, String topicArn, String region, Optional<String> endpoint) implements Receiver {
    static final String TYPE = "sns";

    @Override
    public String type() {
        return TYPE;
    }

    static Optional<Receiver> bind(String name, Section item) {
        Optional<String> topicArn = item.optionalString("topicArn");
        Optional<String> region = item.optionalString("region");
        Optional<String> endpoint = item.optionalString("endpoint");
        if (topicArn.isEmpty()) {
            ReceiverChecks.missing(item, "topicArn", "an sns receiver needs the topic ARN");
        } else if (!topicArn.get().startsWith("arn:")) {
            item.problems().add(item.child("topicArn"), "\"" + topicArn.get() + "\" is not an ARN (arn:aws:sns:region:account:topic)");
        }
        if (region.isEmpty()) {
            ReceiverChecks.missing(item, "region", "an sns receiver needs the AWS region");
        }
        if (topicArn.isEmpty() || region.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new SnsReceiver(name, topicArn.get(), region.get(), endpoint));
    }
}
