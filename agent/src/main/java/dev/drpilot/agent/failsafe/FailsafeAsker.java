package dev.drpilot.agent.failsafe;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The primary agent's side: one question to every peer's agent at once ({@code POST http://host:agentPort/failsafe}),
 * all answers awaited together for at most {@code timeout}. A peer that does not answer in time, or answers anything but
 * a confirmation, has not confirmed.
 */
public final class FailsafeAsker {
    private static final Logger log = LoggerFactory.getLogger(FailsafeAsker.class);
    private final FailsafePeers peers;
    private final HttpClient client;
    private final Duration timeout;

    /** What one peer answered, or why there is no answer. */
    public record Answer(FailsafePeers.Peer peer, Optional<Confirmation> confirmation, String problem) {
        public boolean confirmed() {
            return confirmation.filter(Confirmation::confirmed).isPresent();
        }

        public String describe() {
            return peer.node() + ": " + confirmation.map(c -> (c.confirmed() ? "confirmed, " : "refused, ") + c.reason()).orElse(problem);
        }
    }

    public FailsafeAsker(FailsafePeers peers, Duration timeout) {
        this.peers = peers;
        this.timeout = timeout;
        this.client = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
    }

    public List<Answer> ask(Question question) throws InterruptedException {
        List<CompletableFuture<Answer>> pending = new ArrayList<>();
        for (FailsafePeers.Peer peer : peers.peers()) {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + peer.host() + ":" + peer.agentPort() + FailsafeResponder.PATH))
                    .timeout(timeout)
                    .header("Authorization", "Bearer " + peers.token().reveal())
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(question.encode()))
                    .build();
            pending.add(client.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                    .thenApply(response -> answerOf(peer, response))
                    .exceptionally(error -> new Answer(peer, Optional.empty(), "no answer: " + rootCause(error))));
        }
        try {
            CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // Not all answered in time (failures were turned into answers above): each unfinished one counts as unanswered
            // below, and its request ends by its own timeout.
            log.debug("failsafe: not every peer answered within {} ms", timeout.toMillis());
        }
        List<Answer> answers = new ArrayList<>();
        for (int i = 0; i < pending.size(); i++) {
            FailsafePeers.Peer peer = peers.peers().get(i);
            answers.add(pending.get(i).getNow(new Answer(peer, Optional.empty(), "no answer within " + timeout.toMillis() + " ms")));
        }
        return answers;
    }

    private static Answer answerOf(FailsafePeers.Peer peer, HttpResponse<String> response) {
        Optional<Confirmation> confirmation = Confirmation.decode(response.body());
        if (response.statusCode() != 200) {
            return new Answer(peer, Optional.empty(), "HTTP " + response.statusCode() + " " + response.body().strip());
        }
        return new Answer(peer, confirmation, confirmation.isPresent() ? "" : "unreadable answer: " + response.body().strip());
    }

    private static String rootCause(Throwable error) {
        Throwable cause = error;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause.toString();
    }
}
