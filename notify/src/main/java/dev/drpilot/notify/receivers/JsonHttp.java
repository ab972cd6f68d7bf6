package dev.drpilot.notify.receivers;

import dev.drpilot.config.HttpClientSettings;
import dev.drpilot.notify.delivery.DeliveryException;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.cert.CertificateException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * POSTs JSON and sorts the outcome the way every HTTP receiver needs: 2xx delivered; 408, 429 and
 * 5xx or no answer at all retriable — with the receiver's {@code Retry-After} when it sent one
 * (PagerDuty and Slack rate-limit with 429 and say when to come back); any other status fatal, with
 * the response body kept as the reason (it says what the receiver found invalid). A receiver with
 * {@link HttpClientSettings} gets its {@code Authorization} header on every request and is spoken TLS
 * with as its {@code tls} settings say; a handshake that fails over a certificate (untrusted server,
 * client certificate missing or refused) is fatal like a 401: it is a configuration to mend, and
 * retrying it for the whole budget would only hide it.
 */
final class JsonHttp {
    private static final int MAX_BODY_IN_REASON = 1000;

    private final HttpClient client;
    private final Duration timeout;
    private final Optional<String> authorization;
    private final AtomicBoolean certificateAskedFor;

    JsonHttp(Duration timeout) {
        this(timeout, HttpClientSettings.NONE);
    }

    JsonHttp(Duration timeout, HttpClientSettings settings) {
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER);
        Optional<TlsContexts.ClientTls> tlsContext = settings.tls().map(TlsContexts::client);
        this.certificateAskedFor = tlsContext.map(TlsContexts.ClientTls::certificateAskedFor).orElse(new AtomicBoolean());
        settings.tls().ifPresent(tls -> {
            SSLContext context = tlsContext.get().context();
            builder.sslContext(context);
            // Sent as SNI when the URL's host is an IP address (the client sends the URL's host name otherwise).
            tls.serverName().ifPresent(name -> {
                SSLParameters parameters = context.getDefaultSSLParameters();
                parameters.setServerNames(List.of(new SNIHostName(name)));
                builder.sslParameters(parameters);
            });
        });
        this.client = builder.build();
        this.timeout = timeout;
        this.authorization = settings.authorization();
    }

    /** @return the response body of a 2xx answer */
    String post(URI uri, String json, Map<String, String> headers) throws DeliveryException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
        authorization.ifPresent(value -> request.setHeader("Authorization", value));
        headers.forEach(request::setHeader);
        HttpResponse<String> response;
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            if (certificateAskedFor.get()) {
                throw DeliveryException.fatal("TLS with " + uri.getHost() + ":" + uri.getPort() + " refused: the server asks for a client"
                        + " certificate and this receiver has none (tls.certFile, tls.keyFile); " + e, e);
            }
            if (refusedOverCertificate(e)) {
                throw DeliveryException.fatal("TLS with " + uri.getHost() + ":" + uri.getPort() + " refused: " + e.getMessage(), e);
            }
            throw DeliveryException.retriable(uri.getHost() + ":" + uri.getPort() + " unreachable: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw DeliveryException.retriable("interrupted while sending to " + uri.getHost(), e);
        }
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return response.body();
        }
        String reason = "HTTP " + status + " from " + uri.getHost() + ":" + uri.getPort() + ": " + abbreviate(response.body());
        if (status == 408 || status == 429 || status >= 500) {
            Optional<Duration> retryAfter = response.headers().firstValue("Retry-After").flatMap(value -> RetryAfter.parse(value, Instant.now()));
            throw retryAfter.isPresent()
                    ? DeliveryException.retriable(reason + " (Retry-After " + retryAfter.get().toSeconds() + " s)", status, retryAfter.get())
                    : DeliveryException.retriable(reason, status);
        }
        throw DeliveryException.fatal(reason, status);
    }

    /** A handshake failed over a certificate, either side's: not a blip that passes (a reset handshake stays retriable). */
    static boolean refusedOverCertificate(IOException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof CertificateException) {
                return true;
            }
            // The server's alert may come after the client thinks the handshake done (TLS 1.3): any SSLException, then.
            if (cause instanceof SSLException && cause.getMessage() != null) {
                String message = cause.getMessage().toLowerCase(Locale.ROOT);
                if (message.contains("certificate") || message.contains("unknown_ca") || message.contains("pkix")) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String abbreviate(String body) {
        String oneLine = body == null ? "" : body.strip();
        return oneLine.length() <= MAX_BODY_IN_REASON ? oneLine : oneLine.substring(0, MAX_BODY_IN_REASON) + "...";
    }
}
