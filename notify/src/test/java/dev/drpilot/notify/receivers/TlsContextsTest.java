package dev.drpilot.notify.receivers;

import dev.drpilot.config.PemFiles;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;

import static org.assertj.core.api.Assertions.assertThat;

/** Which names a server certificate stands for (serverName), and which TLS failures are final. */
class TlsContextsTest {
    @TempDir
    static Path dir;
    private static X509Certificate byName;
    private static X509Certificate byAddress;

    @BeforeAll
    static void certificates() throws Exception {
        TestPki pki = TestPki.create(dir, "names-ca");
        byName = PemFiles.certificates(pki.serverWithNames("named", "hooks.internal", "*.svc.example").certFile()).get(0);
        byAddress = PemFiles.certificates(pki.server("local").certFile()).get(0);
    }

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource({
            "hooks.internal, true",
            "HOOKS.internal, true",
            "a.svc.example, true",
            "b.a.svc.example, false",
            "svc.example, false",
            "other.internal, false",
            "127.0.0.1, false",
    })
    void aNamedCertificateCoversItsNamesAndOneWildcardLabel(String host, boolean covered) throws Exception {
        assertThat(TlsContexts.names(byName, host)).isEqualTo(covered);
    }

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource({"127.0.0.1, true", "localhost, true", "127.0.0.2, false", "::1, false"})
    void anAddressIsMatchedAgainstTheCertificatesAddressesOnly(String host, boolean covered) throws Exception {
        assertThat(TlsContexts.names(byAddress, host)).isEqualTo(covered);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "Received fatal alert: bad_certificate                       | true",
            "Received fatal alert: certificate_required                  | true",
            "Received fatal alert: unknown_ca                            | true",
            "PKIX path building failed: unable to find valid certification path | true",
            "Remote host terminated the handshake                        | false",
    })
    void aHandshakeRefusedOverACertificateIsFinalAndAResetIsNot(String message, boolean fatal) {
        assertThat(JsonHttp.refusedOverCertificate(new IOException("wrapped", new SSLHandshakeException(message)))).isEqualTo(fatal);
        assertThat(JsonHttp.refusedOverCertificate(new SSLException(message))).isEqualTo(fatal);
    }

    @Test
    void anUntrustedChainIsFinalAndARefusedConnectionIsNot() {
        SSLHandshakeException untrusted = new SSLHandshakeException("handshake failed");
        untrusted.initCause(new CertificateException("the server's certificate is not for serverName hooks.internal"));
        assertThat(JsonHttp.refusedOverCertificate(untrusted)).isTrue();
        assertThat(JsonHttp.refusedOverCertificate(new ConnectException("Connection refused"))).isFalse();
    }
}
