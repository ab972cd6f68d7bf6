package dev.drpilot.config;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** Email through an SMTP server, from one address to every recipient. */
public record EmailReceiver(String name, Smtp smtp, String from, List<String> to) implements Receiver {
    static final String TYPE = "email";
    private static final Pattern ADDRESS = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");

    public EmailReceiver {
        to = List.copyOf(to);
    }

    @Override
    public String type() {
        return TYPE;
    }

    public record Smtp(String host, int port, boolean startTls, Optional<String> username, Optional<Secret> password) {
        static Optional<Smtp> bind(Section item) {
            if (!item.has("smtp")) {
                return Optional.empty();
            }
            Section smtp = item.section("smtp");
            Smtp settings = new Smtp(smtp.required("host"), smtp.integer("port", 587, 1, 65535), smtp.bool("startTls", true),
                    smtp.optionalString("username"), smtp.secret("password"));
            smtp.finish();
            return Optional.of(settings);
        }
    }

    static Optional<Receiver> bind(String name, Section item) {
        Optional<Smtp> smtp = Smtp.bind(item);
        Optional<String> from = item.optionalString("from");
        List<String> to = item.strings("to");
        if (smtp.isEmpty()) {
            ReceiverChecks.missing(item, "smtp", "an email receiver needs smtp.host");
        }
        if (from.isEmpty()) {
            ReceiverChecks.missing(item, "from", "an email receiver needs a sender address");
        }
        from.filter(address -> !ADDRESS.matcher(address).matches())
                .ifPresent(address -> item.problems().add(item.child("from"), "\"" + address + "\" is not an email address"));
        if (to.isEmpty()) {
            ReceiverChecks.missing(item, "to", "an email receiver needs at least one recipient");
        }
        for (int i = 0; i < to.size(); i++) {
            if (!ADDRESS.matcher(to.get(i)).matches()) {
                item.problems().add(item.child("to") + "[" + i + "]", "\"" + to.get(i) + "\" is not an email address");
            }
        }
        if (smtp.isEmpty() || from.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new EmailReceiver(name, smtp.get(), from.get(), to));
    }
}
