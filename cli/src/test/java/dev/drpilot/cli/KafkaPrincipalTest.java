package dev.drpilot.cli;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class KafkaPrincipalTest {

    @ParameterizedTest(name = "{0} {1} {2} -> {3}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
            "-              | -             | -                                                                                              | anonymous",
            "PLAINTEXT      | -             | -                                                                                              | anonymous",
            "SSL            | -             | -                                                                                              | anonymous",
            "SASL_SSL       | SCRAM-SHA-512 | org.apache.kafka.common.security.scram.ScramLoginModule required username=\"alice\" password=\"s3cret\"; | alice",
            "sasl_plaintext | PLAIN         | org.apache.kafka.common.security.plain.PlainLoginModule required username = \"drpilot-operator\" password=\"x\";  | drpilot-operator",
            "SASL_SSL       | OAUTHBEARER   | org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;                    | sasl:OAUTHBEARER",
            "SASL_SSL       | -             | -                                                                                              | sasl:GSSAPI",
    })
    void namesTheUserTheBrokerAuthenticates(String protocol, String mechanism, String jaas, String expected) {
        Map<String, Object> props = new HashMap<>();
        if (protocol != null) {
            props.put("security.protocol", protocol);
        }
        if (mechanism != null) {
            props.put("sasl.mechanism", mechanism);
        }
        if (jaas != null) {
            props.put("sasl.jaas.config", jaas);
        }
        assertThat(KafkaPrincipal.of(props)).isEqualTo(expected);
    }
}
