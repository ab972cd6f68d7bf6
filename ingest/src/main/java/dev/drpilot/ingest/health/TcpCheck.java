package dev.drpilot.ingest.health;

import dev.drpilot.events.NodeRole;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;

/** A TCP connect: something listens on the port. */
final class TcpCheck implements HealthCheck {
    private final String host;
    private final int port;
    private final Duration timeout;

    TcpCheck(String host, int port, Duration timeout) {
        this.host = host;
        this.port = port;
        this.timeout = timeout;
    }

    @Override
    public String target() {
        return host + ":" + port;
    }

    @Override
    public ProbeOutcome check() throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            return ProbeOutcome.ok(NodeRole.UNKNOWN, Map.of("remote", String.valueOf(socket.getRemoteSocketAddress())));
        }
    }
}
