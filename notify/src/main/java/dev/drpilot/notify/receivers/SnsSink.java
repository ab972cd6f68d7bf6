package dev.drpilot.notify.receivers;

import dev.drpilot.events.Alert;
import dev.drpilot.notify.delivery.AlertSink;
import dev.drpilot.notify.delivery.DeliveryException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sns.model.MessageAttributeValue;
import software.amazon.awssdk.services.sns.model.PublishRequest;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Publishes each alert to an SNS topic (SMS, email, Lambda and chat subscribers): the subject a
 * short line, the message the plain-text alert, and message attributes severity, component,
 * status and rule for subscription filter policies.
 */
final class SnsSink implements AlertSink {
    static final int MAX_SUBJECT = 100;
    static final int MAX_MESSAGE_BYTES = 256 * 1024;

    private final SnsClient sns;
    private final String topicArn;

    SnsSink(SnsClient sns, String topicArn) {
        this.sns = sns;
        this.topicArn = topicArn;
    }

    @Override
    public void deliver(Alert alert) throws DeliveryException {
        try {
            sns.publish(request(topicArn, alert));
        } catch (SdkException e) {
            throw AwsClients.sorted("SNS Publish", e);
        }
    }

    static PublishRequest request(String topicArn, Alert alert) {
        return PublishRequest.builder()
                .topicArn(topicArn)
                .subject(subject(alert))
                .message(message(alert))
                .messageAttributes(new TreeMap<>(Map.of(
                        "severity", attribute(AlertText.severity(alert)),
                        "component", attribute(alert.getComponent()),
                        "status", attribute(AlertText.status(alert).toLowerCase(Locale.ROOT)),
                        "rule", attribute(alert.getRule()))))
                .build();
    }

    /** SNS takes a subject of at most 100 printable ASCII characters without line breaks. */
    static String subject(Alert alert) {
        String ascii = EmailText.subject(alert).replaceAll("[^\\x20-\\x7E]", "?");
        return ascii.length() <= MAX_SUBJECT ? ascii : ascii.substring(0, MAX_SUBJECT - 3) + "...";
    }

    static String message(Alert alert) {
        String text = EmailText.plain(alert);
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= MAX_MESSAGE_BYTES) {
            return text;
        }
        // Cut on a character boundary, leaving room for the marker.
        String marker = "\n[truncated]";
        int limit = MAX_MESSAGE_BYTES - marker.length();
        StringBuilder cut = new StringBuilder();
        int used = 0;
        for (int i = 0; i < text.length(); ) {
            int codePoint = text.codePointAt(i);
            int size = new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8).length;
            if (used + size > limit) {
                break;
            }
            cut.appendCodePoint(codePoint);
            used += size;
            i += Character.charCount(codePoint);
        }
        return cut + marker;
    }

    private static MessageAttributeValue attribute(String value) {
        return MessageAttributeValue.builder().dataType("String").stringValue(value == null || value.isEmpty() ? "-" : value).build();
    }

    @Override
    public void close() {
        sns.close();
    }
}
