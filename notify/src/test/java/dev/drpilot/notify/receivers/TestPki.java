package dev.drpilot.notify.receivers;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A certificate authority made for one test class, issuing server and client certificates (EC P-256) as PEM files,
 * the form Alertmanager's {@code tls_server_config} and drpilot's {@code tls} settings read; and bcrypt hashes for
 * Alertmanager's {@code basic_auth_users}.
 */
final class TestPki {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final Path dir;
    private final KeyPair caKeys;
    private final X509Certificate ca;
    private final Path caFile;
    private final AtomicLong serial = new AtomicLong(1);

    /** A certificate and its key, as files. */
    record Issued(Path certFile, Path keyFile) {
    }

    private TestPki(Path dir, KeyPair caKeys, X509Certificate ca, Path caFile) {
        this.dir = dir;
        this.caKeys = caKeys;
        this.ca = ca;
        this.caFile = caFile;
    }

    static TestPki create(Path dir, String name) throws GeneralSecurityException, IOException {
        Files.createDirectories(dir);
        KeyPair keys = keyPair();
        X500Name subject = new X500Name("CN=" + name);
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, BigInteger.ONE, notBefore(), notAfter(), subject, keys.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        X509Certificate ca = sign(builder, keys);
        Path caFile = Files.writeString(dir.resolve(name + ".crt"), pem("CERTIFICATE", ca.getEncoded()));
        return new TestPki(dir, keys, ca, caFile);
    }

    Path caFile() {
        return caFile;
    }

    /** A server certificate for 127.0.0.1 and localhost. */
    Issued server(String name) throws GeneralSecurityException, IOException {
        return issue(name, KeyPurposeId.id_kp_serverAuth, new GeneralNames(new GeneralName[]{
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")}));
    }

    /** A server certificate that names only {@code dnsName}: reached at 127.0.0.1, it is checked against serverName. */
    Issued serverNamed(String name, String dnsName) throws GeneralSecurityException, IOException {
        return issue(name, KeyPurposeId.id_kp_serverAuth, new GeneralNames(new GeneralName(GeneralName.dNSName, dnsName)));
    }

    /** A server certificate with exactly these DNS names (a {@code *.} wildcard allowed). */
    Issued serverWithNames(String name, String... dnsNames) throws GeneralSecurityException, IOException {
        GeneralName[] names = new GeneralName[dnsNames.length];
        for (int i = 0; i < dnsNames.length; i++) {
            names[i] = new GeneralName(GeneralName.dNSName, dnsNames[i]);
        }
        return issue(name, KeyPurposeId.id_kp_serverAuth, new GeneralNames(names));
    }

    Issued client(String name) throws GeneralSecurityException, IOException {
        return issue(name, KeyPurposeId.id_kp_clientAuth, null);
    }

    private Issued issue(String name, KeyPurposeId purpose, GeneralNames names) throws GeneralSecurityException, IOException {
        KeyPair keys = keyPair();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(ca, BigInteger.valueOf(serial.incrementAndGet()), notBefore(),
                notAfter(), new X500Name("CN=" + name), keys.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
        if (names != null) {
            builder.addExtension(Extension.subjectAlternativeName, false, names);
        }
        X509Certificate certificate = sign(builder, caKeys);
        Path certFile = Files.writeString(dir.resolve(name + ".crt"), pem("CERTIFICATE", certificate.getEncoded()));
        Path keyFile = Files.writeString(dir.resolve(name + ".key"), pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
        return new Issued(certFile, keyFile);
    }

    /** A bcrypt hash as {@code htpasswd -nbB} writes it; cost 4, the lowest, as a test needs no strength. */
    static String bcrypt(String password) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        return OpenBSDBCrypt.generate("2y", password.toCharArray(), salt, 4);
    }

    private static KeyPair keyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer) throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
        } catch (org.bouncycastle.operator.OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static Date notBefore() {
        return Date.from(Instant.now().minus(Duration.ofHours(1)));
    }

    private static Date notAfter() {
        return Date.from(Instant.now().plus(Duration.ofDays(1)));
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
