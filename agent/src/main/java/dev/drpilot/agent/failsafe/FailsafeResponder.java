package dev.drpilot.agent.failsafe;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.drpilot.agent.PromotionPromise;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A replica agent's side of failsafe mode: {@code POST /failsafe} from the primary's agent, with the cluster's token as
 * a bearer token. It reads its server's WAL receiver, applies {@link ConfirmationRule}, and confirms only through
 * {@link PromotionPromise#confirmUnlessPromised}: once this agent acknowledged a promotion intent it confirms nothing,
 * and the two can never cross (they share one lock).
 */
public final class FailsafeResponder implements HttpHandler {
    private static final Logger log = LoggerFactory.getLogger(FailsafeResponder.class);
    public static final String PATH = "/failsafe";
    private static final int MAX_BODY = 4096;

    private final FailsafePeers peers;
    private final WalReceiverSource walReceiver;
    private final Supplier<Optional<LeaseSeen>> newestLease;
    private final PromotionPromise promise;
    private final Duration maxAge;
    private final byte[] tokenDigest;

    /** Where the replica's WAL receiver is read: its server, bounded by a timeout. */
    @FunctionalInterface
    interface WalReceiverSource {
        WalReceiver read() throws InterruptedException;
    }

    FailsafeResponder(FailsafePeers peers, WalReceiverSource walReceiver, Supplier<Optional<LeaseSeen>> newestLease,
                      PromotionPromise promise, Duration maxAge) {
        this.peers = peers;
        this.walReceiver = walReceiver;
        this.newestLease = newestLease;
        this.promise = promise;
        this.maxAge = maxAge;
        this.tokenDigest = digest("Bearer " + peers.token().reveal());
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"POST".equals(exchange.getRequestMethod()) || !PATH.equals(exchange.getRequestURI().getPath())) {
                answer(exchange, 404, "not found\n");
                return;
            }
            if (!authorized(exchange.getRequestHeaders().getFirst("Authorization"))) {
                log.warn("failsafe: question from {} without the cluster's token: refused", exchange.getRemoteAddress());
                answer(exchange, 401, "refused wrong or missing token\n");
                return;
            }
            Optional<Question> question = Question.decode(body(exchange));
            if (question.isEmpty()) {
                answer(exchange, 400, "refused malformed question\n");
                return;
            }
            Confirmation confirmation = answer(question.get());
            log.info("failsafe: {} asked by {} ({}): {} — {}", peers.self(), question.get().node(), question.get().agentId(),
                    confirmation.confirmed() ? "confirmed" : "REFUSED", confirmation.reason());
            answer(exchange, 200, confirmation.encode());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Digests of equal length compared in constant time: neither the token nor its length leaks through timing. */
    boolean authorized(String authorizationHeader) {
        return MessageDigest.isEqual(tokenDigest, digest(authorizationHeader == null ? "" : authorizationHeader));
    }

    Confirmation answer(Question question) throws InterruptedException {
        if (!question.cluster().equals(peers.cluster())) {
            return Confirmation.refuse("this agent is of cluster " + peers.cluster() + ", not " + question.cluster());
        }
        Optional<FailsafePeers.Peer> asker = peers.peer(question.node());
        if (asker.isEmpty()) {
            return Confirmation.refuse("no other node \"" + question.node() + "\" in cluster " + peers.cluster() + "'s configuration");
        }
        Confirmation decision = ConfirmationRule.decide(asker.get(), walReceiver.read(), maxAge, newestLease.get());
        return promise.confirmUnlessPromised(() -> decision, Confirmation.refuse("promised the failover actuator a promotion ("
                + promise.acknowledged().orElse("intent") + "): confirms no primary any more"));
    }

    private static String body(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            return new String(in.readNBytes(MAX_BODY), StandardCharsets.UTF_8);
        }
    }

    private static void answer(HttpExchange exchange, int status, String text) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    static byte[] digest(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
