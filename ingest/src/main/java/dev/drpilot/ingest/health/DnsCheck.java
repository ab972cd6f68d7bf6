package dev.drpilot.ingest.health;

import dev.drpilot.events.NodeRole;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * A name resolves, and — when {@code expect} is set — to the expected target: an address, or a
 * host name whose addresses must be among the answers (the JDK resolver does not expose CNAME
 * records, so a CNAME target is compared by what it resolves to).
 */
final class DnsCheck implements HealthCheck {
    private final String name;
    private final Optional<String> expect;

    DnsCheck(String name, Optional<String> expect) {
        this.name = name;
        this.expect = expect;
    }

    @Override
    public String target() {
        return name;
    }

    @Override
    public ProbeOutcome check() throws Exception {
        Set<String> answers = addresses(name);
        Map<String, String> details = Map.of("addresses", String.join(",", answers));
        if (expect.isPresent()) {
            Set<String> expected = addresses(expect.get());
            if (expected.stream().noneMatch(answers::contains)) {
                return ProbeOutcome.failed(
                        name + " resolves to " + answers + ", not to " + expect.get() + " " + expected, details);
            }
        }
        return ProbeOutcome.ok(NodeRole.UNKNOWN, details);
    }

    private static Set<String> addresses(String host) throws Exception {
        return Arrays.stream(InetAddress.getAllByName(host)).map(InetAddress::getHostAddress)
                .collect(Collectors.toCollection(TreeSet::new));
    }
}
