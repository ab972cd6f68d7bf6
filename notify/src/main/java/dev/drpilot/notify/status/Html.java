package dev.drpilot.notify.status;

import java.util.Locale;

/** Escaping for text that comes from configuration or events: names, summaries and details are not trusted to be markup. */
public final class Html {
    private Html() {
    }

    /** Safe in element content and in double- or single-quoted attribute values. */
    public static String escape(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /**
     * The link target if it is an http(s) URL, else null: escaping alone would still let a
     * {@code javascript:} runbook URL from an alert's annotations run script on a click.
     */
    public static String safeLink(String url) {
        if (url == null) {
            return null;
        }
        String lower = url.strip().toLowerCase(Locale.ROOT);
        return lower.startsWith("https://") || lower.startsWith("http://") ? url.strip() : null;
    }
}
