package dev.drpilot.failover.steps;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;

/**
 * fabric8's Kubernetes API mock in CRUD mode (it stores what is created and patched, like an API
 * server without controllers), with expectations taking precedence for error answers, on
 * 127.0.0.1, and a client on the same JDK HttpClient the steps use in production.
 */
final class KubernetesMock implements AutoCloseable {
    final KubernetesMockServer server;
    final KubernetesClient client;
    private final List<Request> requests = new ArrayList<>();

    /** A request as the client sent it. */
    record Request(String method, String path, String contentType, String body) {
    }

    KubernetesMock() throws Exception {
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        Dispatcher crud = new KubernetesMixedDispatcher(responses);
        // Recorded before the mock handles them: the mock's own request log is filled after the
        // answer is sent (a test could miss the last request) and its body buffer is consumed.
        Dispatcher recording = new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                synchronized (requests) {
                    requests.add(new Request(request.getMethod(), request.getPath(), request.getHeader("Content-Type"),
                            new String(request.getBody().getBytes(), StandardCharsets.UTF_8)));
                }
                return crud.dispatch(request);
            }
        };
        server = new KubernetesMockServer(new Context(), new MockWebServer(), responses, recording, false);
        server.init(InetAddress.getByName("127.0.0.1"), 0);
        client = server.createClient(new JdkHttpClientFactory());
    }

    /** The requests received since the last call, oldest first. */
    List<Request> takeRequests() {
        synchronized (requests) {
            List<Request> taken = List.copyOf(requests);
            requests.clear();
            return taken;
        }
    }

    List<Request> patches() {
        return takeRequests().stream().filter(request -> request.method().equals("PATCH")).toList();
    }

    @Override
    public void close() {
        client.close();
        server.destroy();
    }
}
