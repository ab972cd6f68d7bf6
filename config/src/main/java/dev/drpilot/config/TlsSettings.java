package dev.drpilot.config;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

/**
 * TLS towards an HTTP receiver, with the names Prometheus' and Alertmanager's {@code tls_config} uses. The PEM files are
 * read and checked when the configuration is loaded, so a missing or wrong file stops start-up (and {@code config check})
 * with the key and the file named, rather than failing the first alert.
 *
 * @param caFile             the CA certificates the server's certificate must chain to; instead of the JVM's trusted roots
 * @param certFile           the client certificate (and its chain) shown to a server that asks for one; with keyFile
 * @param keyFile            the client certificate's private key, PKCS#8 or PKCS#1 RSA, unencrypted
 * @param serverName         the name the server's certificate must carry, when it is not the URL's host (an IP address, a
 *                           name behind a proxy); also sent as SNI when the URL's host is an IP address
 * @param insecureSkipVerify accept any server certificate: for a test set-up only, it gives away what TLS protects
 */
public record TlsSettings(Optional<Path> caFile, Optional<Path> certFile, Optional<Path> keyFile, Optional<String> serverName,
                          boolean insecureSkipVerify) {

    /** The {@code tls} mapping of an HTTP receiver, if written; its files are read and every problem recorded. */
    static Optional<TlsSettings> bind(Section item) {
        if (!item.has("tls")) {
            return Optional.empty();
        }
        Section tls = item.section("tls");
        Optional<Path> caFile = tls.optionalString("caFile").map(Path::of);
        Optional<Path> certFile = tls.optionalString("certFile").map(Path::of);
        Optional<Path> keyFile = tls.optionalString("keyFile").map(Path::of);
        Optional<String> serverName = tls.optionalString("serverName");
        boolean insecureSkipVerify = tls.bool("insecureSkipVerify", false);
        caFile.ifPresent(file -> read(tls, "caFile", () -> PemFiles.certificates(file)));
        Optional<List<X509Certificate>> chain = certFile.flatMap(file -> read(tls, "certFile", () -> PemFiles.certificates(file)));
        Optional<PrivateKey> key = keyFile.flatMap(file -> read(tls, "keyFile", () -> PemFiles.privateKey(file)));
        if (certFile.isPresent() != keyFile.isPresent()) {
            tls.problems().add(tls.child(certFile.isPresent() ? "keyFile" : "certFile"),
                    "missing: a client certificate needs both certFile and keyFile");
        }
        if (chain.isPresent() && key.isPresent() && !belongTogether(key.get(), chain.get().get(0))) {
            tls.problems().add(tls.child("keyFile"), keyFile.get() + " is not the private key of the certificate in " + certFile.get());
        }
        tls.finish();
        return Optional.of(new TlsSettings(caFile, certFile, keyFile, serverName, insecureSkipVerify));
    }

    private interface Reader<T> {
        T read();
    }

    private static <T> Optional<T> read(Section tls, String key, Reader<T> reader) {
        try {
            return Optional.of(reader.read());
        } catch (IllegalArgumentException e) {
            tls.problems().add(tls.child(key), e.getMessage());
            return Optional.empty();
        }
    }

    /** Whether the key signs what the certificate's public key verifies: a mismatched pair fails every handshake. */
    static boolean belongTogether(PrivateKey key, X509Certificate certificate) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> key.getAlgorithm();   // EdDSA: Ed25519, Ed448
        };
        byte[] probe = "drpilot key check".getBytes(StandardCharsets.US_ASCII);
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;   // e.g. an RSA key beside an EC certificate
        }
    }
}
