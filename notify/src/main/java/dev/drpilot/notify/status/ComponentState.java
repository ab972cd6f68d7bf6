package dev.drpilot.notify.status;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/** How a component stands against its targets, worst first; the page colours each row by it. */
public enum ComponentState {
    CRITICAL, WARNING, UNKNOWN, OK;

    /** The name in the JSON and in the row's CSS class ({@code state-critical}). */
    @JsonValue
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
