package dev.drpilot.config;

import java.time.Duration;
import java.util.Optional;

/**
 * A health probe. Which target fields apply depends on the kind: {@code postgres} uses the
 * cluster node's connection, {@code tcp} host and port, {@code http} url and expectStatus,
 * {@code dns} name and optionally the address or CNAME it must resolve to (expect).
 */
public record Probe(
        String name,
        Kind kind,
        String component,
        Optional<String> cluster,
        Optional<String> node,
        Duration interval,
        Duration timeout,
        Optional<String> url,
        int expectStatus,
        Optional<String> host,
        Optional<Integer> port,
        Optional<String> dnsName,
        Optional<String> expect) {

    public enum Kind { POSTGRES, TCP, HTTP, DNS }
}
