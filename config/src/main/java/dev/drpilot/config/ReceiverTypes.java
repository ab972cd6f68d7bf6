package dev.drpilot.config;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Every receiver type, by the name its {@code type} key is written with, and how it is bound. */
final class ReceiverTypes {
    // In the order the "is not one of" message lists them.
    private static final Map<String, ReceiverBinder> BINDERS = new LinkedHashMap<>();

    static {
        BINDERS.put(AlertmanagerReceiver.TYPE, AlertmanagerReceiver::bind);
        BINDERS.put(PagerDutyReceiver.TYPE, PagerDutyReceiver::bind);
        BINDERS.put(EmailReceiver.TYPE, EmailReceiver::bind);
        BINDERS.put(SnsReceiver.TYPE, SnsReceiver::bind);
        BINDERS.put(CloudWatchReceiver.TYPE, CloudWatchReceiver::bind);
        BINDERS.put(WebhookReceiver.TYPE, WebhookReceiver::bind);
        BINDERS.put(SlackReceiver.TYPE, SlackReceiver::bind);
        BINDERS.put(TeamsReceiver.TYPE, TeamsReceiver::bind);
        BINDERS.put(OpsgenieReceiver.TYPE, OpsgenieReceiver::bind);
        BINDERS.put(LogReceiver.TYPE, LogReceiver::bind);
    }

    private ReceiverTypes() {
    }

    /** The binder of the item's {@code type}; empty, with the problem recorded, when it is missing or unknown. */
    static Optional<ReceiverBinder> binderOf(Section item) {
        boolean written = item.has("type");
        Optional<String> type = item.optionalString("type");
        if (type.isEmpty()) {
            if (!written) {
                item.problems().add(item.child("type"), "missing (required)");
            }
            return Optional.empty();
        }
        ReceiverBinder binder = BINDERS.get(type.get());
        if (binder == null) {
            item.problems().add(item.child("type"), "\"" + type.get() + "\" is not one of " + String.join(", ", BINDERS.keySet()));
        }
        return Optional.ofNullable(binder);
    }
}
