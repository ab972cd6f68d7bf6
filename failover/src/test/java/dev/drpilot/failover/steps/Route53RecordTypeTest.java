package dev.drpilot.failover.steps;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.route53.model.RRType;

import static org.assertj.core.api.Assertions.assertThat;

class Route53RecordTypeTest {
    @Test
    void anAddressRecordForAnIpAndACnameForAName() {
        assertThat(Route53RepointStep.typeFor("10.0.3.17")).isEqualTo(RRType.A);
        assertThat(Route53RepointStep.typeFor("2001:db8::17")).isEqualTo(RRType.AAAA);
        assertThat(Route53RepointStep.typeFor("orders-2.abc.eu-west-1.rds.amazonaws.com")).isEqualTo(RRType.CNAME);
        assertThat(Route53RepointStep.typeFor("10.0.3.256")).isEqualTo(RRType.CNAME);
        assertThat(Route53RepointStep.typeFor("cafe")).isEqualTo(RRType.CNAME);
    }
}
