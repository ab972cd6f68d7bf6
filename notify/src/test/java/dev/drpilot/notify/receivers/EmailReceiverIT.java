package dev.drpilot.notify.receivers;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import dev.drpilot.broker.EmbeddedKafkaBroker;
import dev.drpilot.config.ConfigLoader;
import dev.drpilot.config.DrpilotConfig;
import dev.drpilot.events.ActionStatus;
import dev.drpilot.events.Alert;
import dev.drpilot.events.Severity;
import dev.drpilot.notify.NotifyKafka;
import dev.drpilot.notify.NotifyService;
import dev.drpilot.notify.TestAlerts;
import dev.drpilot.testkit.EmbeddedKafkaExtension;
import jakarta.mail.BodyPart;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Email through a real (in-JVM) SMTP server with authentication, through the real broker. */
// The service only has to run for the duration of the try block; the tests look at its effects.
@SuppressWarnings("try")
@ExtendWith(EmbeddedKafkaExtension.class)
class EmailReceiverIT {
    @RegisterExtension
    static final GreenMailExtension SMTP = new GreenMailExtension(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort())
            .withConfiguration(GreenMailConfiguration.aConfig().withUser("drpilot@example.com", "drpilot", "s3cret"));

    @Test
    void sendsOneMultipartMessageToEveryRecipient(EmbeddedKafkaBroker broker) throws Exception {
        DrpilotConfig config = ConfigLoader.parse("""
                receivers:
                  - name: dba-mail
                    type: email
                    smtp: {host: 127.0.0.1, port: %d, startTls: false, username: drpilot, password: "${SMTP_PASSWORD}"}
                    from: drpilot@example.com
                    to: [dba@example.com, oncall@example.com]
                routes:
                  - {match: {rule: [backup-failed]}, receivers: [dba-mail]}
                """.formatted(SMTP.getSmtp().getPort()), "it", name -> Map.of("SMTP_PASSWORD", "s3cret").get(name));
        NotifyKafka kafka = NotifyKafka.create(broker);
        Alert backupFailed = TestAlerts.firing("orders", Severity.WARNING).setRule("backup-failed").setFingerprint("backup-failed/component=orders-db")
                .setAnnotations(Map.of("summary", "Backup of orders-db failed", "description", "wal-g backup-push exited with 1",
                        "runbook_url", "https://runbooks.example.com/backup-failed"))
                .setValue(1.0).setThreshold(0.0).setUnit("failures").build();
        try (NotifyService actuator = new NotifyService(config, broker.clientProperties(), Clock.systemUTC(), kafka.options()).start()) {
            kafka.send(backupFailed, TestAlerts.firing("orders", Severity.CRITICAL).build());
            await().atMost(Duration.ofSeconds(60)).until(() -> SMTP.getReceivedMessages().length == 2);
        }

        MimeMessage[] messages = SMTP.getReceivedMessages();
        for (MimeMessage message : messages) {
            assertThat(message.getSubject()).isEqualTo("[FIRING:WARNING] orders-db: Backup of orders-db failed");
            assertThat(Arrays.stream(message.getRecipients(Message.RecipientType.TO)).map(Object::toString))
                    .containsExactly("dba@example.com", "oncall@example.com");
            assertThat(message.getFrom()[0].toString()).isEqualTo("drpilot@example.com");
            MimeMultipart body = (MimeMultipart) message.getContent();
            assertThat(body.getContentType()).startsWith("multipart/alternative");
            BodyPart plain = body.getBodyPart(0);
            BodyPart html = body.getBodyPart(1);
            assertThat(plain.getContentType()).startsWith("text/plain");
            assertThat((String) plain.getContent()).contains("wal-g backup-push exited with 1", "Component: orders-db", "Rule: backup-failed",
                    "Value: 1 failures", "Threshold: 0 failures", "Since: 2026-11-24T03:00:00Z",
                    "Runbook: https://runbooks.example.com/backup-failed");
            assertThat(html.getContentType()).startsWith("text/html");
            assertThat((String) html.getContent()).contains("<a href=\"https://runbooks.example.com/backup-failed\">Runbook</a>",
                    "<td>orders-db</td>");
        }
        assertThat(Arrays.stream(messages).map(GreenMailUtil::getBody)).allSatisfy(raw -> assertThat(raw).doesNotContain("s3cret"));
        assertThat(kafka.actionRecords()).singleElement().satisfies(action -> {
            assertThat(action.getStatus()).isEqualTo(ActionStatus.SUCCEEDED);
            assertThat(action.getName()).isEqualTo("dba-mail");
        });
    }

    @Test
    void startTlsRequiredButNotOfferedSendsNothingAndIsRecordedNotRetried(EmbeddedKafkaBroker broker) throws Exception {
        DrpilotConfig config = ConfigLoader.parse("""
                receivers:
                  - name: tls-mail
                    type: email
                    smtp: {host: 127.0.0.1, port: %d, startTls: true, username: drpilot, password: "${SMTP_PASSWORD}"}
                    from: drpilot@example.com
                    to: [dba@example.com]
                routes:
                  - {match: {}, receivers: [tls-mail]}
                """.formatted(SMTP.getSmtp().getPort()), "it", name -> Map.of("SMTP_PASSWORD", "s3cret").get(name));
        NotifyKafka kafka = NotifyKafka.create(broker);
        try (NotifyService actuator = new NotifyService(config, broker.clientProperties(), Clock.systemUTC(), kafka.options()).start()) {
            kafka.send(TestAlerts.firing("orders", Severity.CRITICAL).build());
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(kafka.actionRecords()).hasSize(1));
        }
        assertThat(SMTP.getReceivedMessages()).isEmpty();
        assertThat(kafka.actionRecords()).singleElement().satisfies(action -> {
            assertThat(action.getStatus()).isEqualTo(ActionStatus.FAILED);
            assertThat(action.getAttributes()).containsEntry("reason", "rejected").containsEntry("attempts", "1");
            assertThat(action.getDetail()).contains("does not offer STARTTLS").doesNotContain("s3cret");
        });
    }
}
