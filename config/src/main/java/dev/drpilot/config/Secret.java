package dev.drpilot.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A password, token or routing key. The configuration holds only a reference to it —
 * {@code ${ENV_VAR}} or {@code file:/path} — which is resolved once at start-up; the value
 * itself never appears in {@link #toString()}, in printed configuration or in logs.
 */
public final class Secret {
    private static final Pattern ENV = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");
    static final String HOW = "write secrets as ${ENV_VAR} or file:/path, never in the file itself";

    private final String reference;
    private final String value;

    private Secret(String reference, String value) {
        this.reference = reference;
        this.value = value;
    }

    /** For tests and programmatic use: a secret whose reference is only a label. */
    public static Secret of(String reference, String value) {
        return new Secret(Objects.requireNonNull(reference), Objects.requireNonNull(value));
    }

    /**
     * Resolves a reference.
     *
     * @throws IllegalArgumentException with the message the configuration reports
     */
    static Secret resolve(String reference, Function<String, String> env) {
        String trimmed = reference.trim();
        Matcher envRef = ENV.matcher(trimmed);
        if (envRef.matches()) {
            String value = env.apply(envRef.group(1));
            if (value == null || value.isEmpty()) {
                throw new IllegalArgumentException("environment variable " + envRef.group(1) + " is not set");
            }
            return new Secret(trimmed, value);
        }
        if (trimmed.startsWith("file:")) {
            Path file = Path.of(trimmed.substring("file:".length()));
            try {
                return new Secret(trimmed, Files.readString(file).strip());
            } catch (IOException | SecurityException e) {
                throw new IllegalArgumentException("cannot read secret file " + file + " (" + e.getClass().getSimpleName() + ")");
            }
        }
        throw new IllegalArgumentException(HOW);
    }

    /** Replaces every {@code ${ENV_VAR}} inside a plain setting; the result is treated as secret by the caller. */
    static String interpolate(String text, Function<String, String> env) {
        Matcher matcher = ENV.matcher(text);
        StringBuilder result = new StringBuilder();
        while (matcher.find()) {
            String value = env.apply(matcher.group(1));
            if (value == null) {
                throw new IllegalArgumentException("environment variable " + matcher.group(1) + " is not set");
            }
            matcher.appendReplacement(result, Matcher.quoteReplacement(value));
        }
        matcher.appendTail(result);
        return result.toString();
    }

    public String reveal() {
        return value;
    }

    /** Where the value comes from, e.g. {@code ${PD_ROUTING_KEY}}. */
    public String source() {
        return reference;
    }

    @Override
    public String toString() {
        return "****** (" + reference + ")";
    }

    // Identity by reference only: comparing or hashing must not leak the value through timing or logs.
    @Override
    public boolean equals(Object other) {
        return other instanceof Secret secret && secret.reference.equals(reference);
    }

    @Override
    public int hashCode() {
        return reference.hashCode();
    }
}
