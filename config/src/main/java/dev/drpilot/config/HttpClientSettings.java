package dev.drpilot.config;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * How an HTTP receiver (alertmanager, webhook) authenticates and what TLS it speaks, after Prometheus' HTTP client
 * settings: {@code basicAuth: {username, password | passwordFile}} or {@code bearerToken | bearerTokenFile}, and
 * {@code tls: {caFile, certFile, keyFile, serverName, insecureSkipVerify}}. Secrets are {@link Secret}s (masked wherever
 * printed); a {@code *File} key names a file holding the secret, as Prometheus' {@code password_file} does.
 */
public record HttpClientSettings(Optional<BasicAuth> basicAuth, Optional<Secret> bearerToken, Optional<TlsSettings> tls) {
    public static final HttpClientSettings NONE = new HttpClientSettings(Optional.empty(), Optional.empty(), Optional.empty());

    /** HTTP basic authentication: Alertmanager's {@code basic_auth_users}, most reverse proxies. */
    public record BasicAuth(String username, Secret password) {
    }

    /** The value of the {@code Authorization} header every request carries, if the receiver authenticates. */
    public Optional<String> authorization() {
        if (basicAuth.isPresent()) {
            String pair = basicAuth.get().username() + ":" + basicAuth.get().password().reveal();
            return Optional.of("Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
        }
        return bearerToken.map(token -> "Bearer " + token.reveal());
    }

    /**
     * Reads the authentication and TLS keys of an HTTP receiver.
     *
     * @param urls the receiver's URLs with their key paths: TLS options on an http:// URL would be silently unused
     */
    static HttpClientSettings bind(Section item, List<String> urls) {
        boolean basicWritten = item.has("basicAuth");
        Optional<BasicAuth> basicAuth = Optional.empty();
        if (basicWritten) {
            Section basic = item.section("basicAuth");
            String username = basic.required("username");
            Optional<Secret> password = secretOrFile(basic, "password", "passwordFile");
            if (!basic.has("password") && !basic.has("passwordFile")) {
                ReceiverChecks.missing(basic, "password", "basic authentication needs password (${ENV_VAR} or file:/path) or passwordFile");
            }
            basic.finish();
            basicAuth = password.filter(secret -> !username.isEmpty()).map(secret -> new BasicAuth(username, secret));
        }
        boolean bearerWritten = item.has("bearerToken") || item.has("bearerTokenFile");
        Optional<Secret> bearerToken = secretOrFile(item, "bearerToken", "bearerTokenFile");
        if (basicWritten && bearerWritten) {
            item.problems().add(item.child(item.has("bearerToken") ? "bearerToken" : "bearerTokenFile"),
                    "give basicAuth or a bearer token, not both: a request carries one Authorization header");
        }
        Optional<TlsSettings> tls = TlsSettings.bind(item);
        if (tls.isPresent()) {
            urls.stream().filter(url -> !url.regionMatches(true, 0, "https://", 0, "https://".length())).findFirst()
                    .ifPresent(url -> item.problems().add(item.child("tls"), "applies to https:// URLs only, and \"" + url + "\" is not one"));
        }
        return new HttpClientSettings(basicAuth, bearerToken, tls);
    }

    /** A secret written as a reference ({@code key}) or as the path of a file holding it ({@code fileKey}); not both. */
    private static Optional<Secret> secretOrFile(Section section, String key, String fileKey) {
        boolean inline = section.has(key);
        boolean fromFile = section.has(fileKey);
        if (inline && fromFile) {
            section.problems().add(section.child(fileKey), "give " + key + " or " + fileKey + ", not both");
            return Optional.empty();
        }
        Optional<Secret> secret = fromFile
                ? section.optionalString(fileKey).flatMap(path -> {
                    try {
                        return Optional.of(Secret.resolve("file:" + path, section.env()));
                    } catch (IllegalArgumentException e) {
                        section.problems().add(section.child(fileKey), e.getMessage());
                        return Optional.empty();
                    }
                })
                : section.secret(key);
        if (secret.isPresent() && secret.get().reveal().isEmpty()) {
            section.problems().add(section.child(fromFile ? fileKey : key), "is empty (" + secret.get().source() + ")");
            return Optional.empty();
        }
        return secret;
    }
}
