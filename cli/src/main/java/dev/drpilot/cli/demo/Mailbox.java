package dev.drpilot.cli.demo;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.Address;
import jakarta.mail.BodyPart;
import jakarta.mail.Multipart;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The demo's mail server: a real SMTP server (GreenMail) inside the process, on the port the
 * configuration's email receiver names, so the alert emails travel the same SMTP path as in
 * production. Each message is also kept as an {@code .eml} file in the outbox directory.
 */
public final class Mailbox implements AutoCloseable {
    private final GreenMail server;
    private final Path outbox;
    private final List<Mail> mail = new ArrayList<>();
    private int saved;

    private Mailbox(GreenMail server, Path outbox) {
        this.server = server;
        this.outbox = outbox;
    }

    public static Mailbox start(String host, int port, Path outbox) {
        GreenMail server = new GreenMail(new ServerSetup(port, host, ServerSetup.PROTOCOL_SMTP));
        try {
            server.start();
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot start the demo's SMTP server on " + host + ":" + port
                    + " (port in use? change receivers[].smtp.port in the demo configuration): " + e.getMessage(), e);
        }
        try {
            Files.createDirectories(outbox);
        } catch (IOException e) {
            server.stop();
            throw new UncheckedIOException("cannot create the outbox " + outbox, e);
        }
        return new Mailbox(server, outbox);
    }

    public Path outbox() {
        return outbox;
    }

    /** One received email, as the narrator shows it. */
    public record Mail(String to, String subject, String body, Path file) {
        /** The first lines of the body, without blank lines. */
        public String firstLines(int count) {
            return body.lines().filter(line -> !line.isBlank()).limit(count).collect(Collectors.joining("\n"));
        }
    }

    /** Every email received so far; each is saved to the outbox once. */
    public synchronized List<Mail> received() {
        MimeMessage[] messages = server.getReceivedMessages();
        for (; saved < messages.length; saved++) {
            mail.add(save(messages[saved], saved + 1));
        }
        return List.copyOf(mail);
    }

    private Mail save(MimeMessage message, int number) {
        try {
            Path file = outbox.resolve(String.format(Locale.ROOT, "%03d.eml", number));
            try (OutputStream out = Files.newOutputStream(file)) {
                message.writeTo(out);
            }
            String to = Arrays.stream(message.getAllRecipients()).map(Address::toString).collect(Collectors.joining(", "));
            return new Mail(to, message.getSubject(), plainText(message.getContent()), file);
        } catch (IOException | MessagingException e) {
            throw new IllegalStateException("cannot read the email the SMTP server received: " + e.getMessage(), e);
        }
    }

    /** The text/plain part: receivers send plain text and HTML alternatives. */
    private static String plainText(Object content) throws IOException, MessagingException {
        if (content instanceof String text) {
            return text;
        }
        if (content instanceof Multipart multipart) {
            for (int i = 0; i < multipart.getCount(); i++) {
                BodyPart part = multipart.getBodyPart(i);
                if (part.isMimeType("text/plain") || part.isMimeType("multipart/*")) {
                    return plainText(part.getContent());
                }
            }
        }
        return "";
    }

    @Override
    public void close() {
        server.stop();
    }
}
