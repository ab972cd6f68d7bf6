package dev.drpilot.cli;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.SaslConfigs;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The name a command authenticates to Kafka as, for the audit trail: the SASL user name of the
 * client properties. The brokers check that name against the ACLs, so unlike {@code --by} or
 * {@code $USER} it is not the caller's claim.
 */
final class KafkaPrincipal {
    /** What Kafka calls a client that did not authenticate. */
    static final String ANONYMOUS = "anonymous";

    private static final Pattern USERNAME = Pattern.compile("\\busername\\s*=\\s*\"([^\"]*)\"");

    private KafkaPrincipal() {
    }

    static String of(Map<String, ?> clientProperties) {
        String protocol = Objects.toString(clientProperties.get(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG), "PLAINTEXT");
        if (!protocol.toUpperCase(Locale.ROOT).startsWith("SASL_")) {
            return ANONYMOUS;
        }
        Object jaas = clientProperties.get(SaslConfigs.SASL_JAAS_CONFIG);
        Matcher username = USERNAME.matcher(jaas == null ? "" : jaas.toString());
        if (username.find()) {
            return username.group(1);
        }
        // GSSAPI, OAUTHBEARER: the name is the broker's to derive; say which login it was.
        return "sasl:" + Objects.toString(clientProperties.get(SaslConfigs.SASL_MECHANISM), SaslConfigs.DEFAULT_SASL_MECHANISM);
    }
}
