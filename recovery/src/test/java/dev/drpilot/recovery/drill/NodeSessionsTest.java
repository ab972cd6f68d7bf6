package dev.drpilot.recovery.drill;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class NodeSessionsTest {

    @ParameterizedTest(name = "WAL receiver''s sender {0}, configured host {1}: same host {2}")
    @CsvSource({
            "10.0.0.1,           10.0.0.1,   true",
            "DB-1.example.com,   db-1.example.com, true",
            "localhost,          127.0.0.1,  true",
            "127.0.0.1,          localhost,  true",
            "/var/run/postgresql, 10.0.0.1,  true",
            "10.0.0.2,           10.0.0.1,   false",
            "127.0.0.1,          10.0.0.1,   false",
    })
    void aSenderIsThePrimaryWhenItNamesOrResolvesToTheConfiguredHost(String sender, String configured, boolean same) {
        assertThat(NodeSessions.sameHost(sender, configured)).isEqualTo(same);
    }
}
