package dev.drpilot.broker;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Loopback ports for the embedded broker's listeners. */
final class FreePorts {
    private FreePorts() {
    }

    static int pick() {
        return pickOtherThan(-1);
    }

    /**
     * A free port that is not {@code taken}: a port just released is free again at once, so two
     * picks in a row can return the same one (seen: broker and controller on one port, and Kafka
     * refusing to start).
     */
    static int pickOtherThan(int taken) {
        for (int attempt = 0; attempt < 20; attempt++) {
            int port = pickOnce();
            if (port != taken) {
                return port;
            }
        }
        throw new EmbeddedBrokerException("no second free port on 127.0.0.1 besides " + taken);
    }

    private static int pickOnce() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new EmbeddedBrokerException("no free port on 127.0.0.1: " + e.getMessage(), e);
        }
    }

    static int requireFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return port;
        } catch (IOException e) {
            throw new EmbeddedBrokerException("port " + port + " on 127.0.0.1 is in use, so the embedded Kafka broker"
                    + " cannot listen there: set kafka.embedded.port to a free port, or kafka.bootstrapServers to use"
                    + " an existing Kafka cluster");
        }
    }
}
