package dev.drpilot.detector.alert;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The fingerprint keys every alert in the detector's stores and in every receiver: its text must never change. */
class AlertsTest {

    /** The fingerprint as it was written first (a stream and a sort): the text every stored alert is keyed by. */
    private static String asFirstWritten(String rule, Map<String, String> identity) {
        StringBuilder fingerprint = new StringBuilder(rule);
        identity.entrySet().stream().filter(entry -> entry.getValue() != null).sorted(Map.Entry.comparingByKey())
                .forEach(entry -> fingerprint.append('/').append(entry.getKey()).append('=').append(entry.getValue()));
        return fingerprint.toString();
    }

    @Test
    void theLabelsAreSortedByNameAndTheNullOnesLeftOut() {
        Map<String, String> identity = new LinkedHashMap<>();
        identity.put("node", "pg-2");
        identity.put("component", "orders-db");
        identity.put("finding", null);
        identity.put("cluster", "orders");

        assertThat(Alerts.fingerprint("replication-lag", identity))
                .isEqualTo("replication-lag/cluster=orders/component=orders-db/node=pg-2");
        assertThat(Alerts.fingerprint("replication-lag", Alerts.identity("component", "orders-db", "cluster", "orders", "node", "pg-2")))
                .as("the same labels in another order").isEqualTo("replication-lag/cluster=orders/component=orders-db/node=pg-2");
        assertThat(Alerts.fingerprint("silent-collector", Map.of())).isEqualTo("silent-collector");
    }

    @Test
    void theTextIsTheOneFirstWrittenForAnyLabels() {
        List<String> names = List.of("component", "cluster", "node", "finding", "receiver", "collector", "c", "cluster2", "Node", "");
        Random random = new Random(16);
        for (int round = 0; round < 5_000; round++) {
            Map<String, String> identity = round % 2 == 0 ? new LinkedHashMap<>() : new HashMap<>();
            int size = random.nextInt(names.size() + 1);
            for (int i = 0; i < size; i++) {
                String name = names.get(random.nextInt(names.size()));
                identity.put(name, random.nextInt(5) == 0 ? null : name + "-" + random.nextInt(100));
            }

            assertThat(Alerts.fingerprint("rule", identity)).as("labels %s", identity).isEqualTo(asFirstWritten("rule", identity));
        }
    }
}
