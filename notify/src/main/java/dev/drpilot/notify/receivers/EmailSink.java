package dev.drpilot.notify.receivers;

import dev.drpilot.config.EmailReceiver;
import dev.drpilot.events.Alert;
import dev.drpilot.notify.delivery.AlertSink;
import dev.drpilot.notify.delivery.DeliveryException;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Properties;

/**
 * Email through an SMTP server (Angus Mail): one message per alert to every recipient, with a
 * plain-text and an HTML body. STARTTLS is required when configured (no silent fallback to
 * plain text with a password on the wire); authentication when a username is configured.
 */
final class EmailSink implements AlertSink {
    private final EmailReceiver.Smtp smtp;
    private final InternetAddress from;
    private final InternetAddress[] to;
    private final Session session;

    EmailSink(EmailReceiver receiver, Duration timeout) {
        this.smtp = receiver.smtp();
        try {
            this.from = new InternetAddress(receiver.from(), true);
            this.to = InternetAddress.parse(String.join(",", receiver.to()), true);
        } catch (AddressException e) {
            throw new IllegalArgumentException("invalid email address: " + e.getMessage(), e);
        }
        Properties props = new Properties();
        props.put("mail.smtp.host", smtp.host());
        props.put("mail.smtp.port", Integer.toString(smtp.port()));
        props.put("mail.smtp.auth", Boolean.toString(smtp.username().isPresent()));
        props.put("mail.smtp.starttls.enable", Boolean.toString(smtp.startTls()));
        props.put("mail.smtp.starttls.required", Boolean.toString(smtp.startTls()));
        props.put("mail.smtp.connectiontimeout", Long.toString(timeout.toMillis()));
        props.put("mail.smtp.timeout", Long.toString(timeout.toMillis()));
        props.put("mail.smtp.writetimeout", Long.toString(timeout.toMillis()));
        this.session = Session.getInstance(props);
    }

    @Override
    public void deliver(Alert alert) throws DeliveryException {
        try {
            MimeMessage message = message(alert);
            if (smtp.username().isPresent()) {
                Transport.send(message, smtp.username().get(), smtp.password().map(secret -> secret.reveal()).orElse(""));
            } else {
                Transport.send(message);
            }
        } catch (AuthenticationFailedException e) {
            throw DeliveryException.fatal("SMTP authentication failed at " + smtp.host() + ":" + smtp.port(), e);
        } catch (SMTPSendFailedException e) {
            // 4xx is the server asking to come back later; 5xx is a refusal.
            String reason = "SMTP " + e.getReturnCode() + " from " + smtp.host() + ": " + e.getMessage();
            throw e.getReturnCode() >= 400 && e.getReturnCode() < 500 ? DeliveryException.retriable(reason, e) : DeliveryException.fatal(reason, e);
        } catch (SendFailedException e) {
            throw DeliveryException.fatal("SMTP server refused recipients: " + e.getMessage(), e);
        } catch (MessagingException e) {
            if (String.valueOf(e.getMessage()).contains("STARTTLS is required")) {
                // The server offers no STARTTLS: a setting to fix, not an outage to wait out.
                throw DeliveryException.fatal("SMTP " + smtp.host() + ":" + smtp.port() + " does not offer STARTTLS, which startTls: true"
                        + " requires; nothing was sent", e);
            }
            throw DeliveryException.retriable("SMTP " + smtp.host() + ":" + smtp.port() + " unavailable: " + e.getMessage(), e);
        } catch (IOException e) {
            throw DeliveryException.fatal("could not build the message: " + e, e);
        }
    }

    MimeMessage message(Alert alert) throws MessagingException, IOException {
        MimeMessage message = new MimeMessage(session);
        message.setFrom(from);
        message.setRecipients(Message.RecipientType.TO, to);
        message.setSubject(EmailText.subject(alert), "UTF-8");
        message.setSentDate(Date.from(Instant.now()));
        MimeBodyPart text = new MimeBodyPart();
        text.setText(EmailText.plain(alert), "UTF-8", "plain");
        MimeBodyPart html = new MimeBodyPart();
        html.setText(EmailText.html(alert), "UTF-8", "html");
        // multipart/alternative: the plain part first, the richest last, as readers pick the last they can show.
        MimeMultipart body = new MimeMultipart("alternative");
        body.addBodyPart(text);
        body.addBodyPart(html);
        message.setContent(body);
        return message;
    }
}
