package dev.drpilot.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * Somewhere alerts are delivered: one record per type, each with the keys of its type and the
 * checks they need. {@link ReceiverTypes} says which record a {@code type} is bound to.
 */
@JsonPropertyOrder({"name", "type"})
public sealed interface Receiver permits AlertmanagerReceiver, PagerDutyReceiver, EmailReceiver, SnsReceiver, CloudWatchReceiver,
        WebhookReceiver, SlackReceiver, TeamsReceiver, OpsgenieReceiver, LogReceiver {

    String name();

    /** The type as written in the configuration ({@code alertmanager}, {@code pagerduty} ...). */
    @JsonProperty("type")
    String type();
}
