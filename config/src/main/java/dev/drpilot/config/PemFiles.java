package dev.drpilot.config;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Certificates and private keys from PEM files, as Prometheus' and Alertmanager's {@code tls_config} takes them: the JDK
 * reads neither a PEM key nor a PKCS#1 RSA key by itself. Every failure is an {@link IllegalArgumentException} whose
 * message names the file and what is wrong with it, as {@code config check} reports it.
 */
public final class PemFiles {
    private static final Pattern BLOCK = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([^-]*)-----END \\1-----");
    /** rsaEncryption, 1.2.840.113549.1.1.1, with its NULL parameters: the PKCS#8 header of a PKCS#1 RSA key. */
    private static final byte[] RSA_ALGORITHM = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01,
            0x01, 0x05, 0x00};
    private static final List<String> KEY_ALGORITHMS = List.of("RSA", "EC", "Ed25519", "Ed448");

    private PemFiles() {
    }

    /** Every certificate of the file, in order (a certificate file may carry its chain after it). */
    public static List<X509Certificate> certificates(Path file) {
        List<X509Certificate> certificates = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (Block block : blocks(file)) {
                if (block.type().equals("CERTIFICATE")) {
                    certificates.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(block.der())));
                }
            }
        } catch (CertificateException e) {
            throw new IllegalArgumentException(file + " holds a certificate that cannot be read (" + e.getMessage() + ")");
        }
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException(file + " is not a PEM certificate (no -----BEGIN CERTIFICATE----- block)");
        }
        return certificates;
    }

    /** The private key of the file: PKCS#8 ({@code BEGIN PRIVATE KEY}) or PKCS#1 RSA ({@code BEGIN RSA PRIVATE KEY}), unencrypted. */
    public static PrivateKey privateKey(Path file) {
        for (Block block : blocks(file)) {
            switch (block.type()) {
                case "PRIVATE KEY":
                    return pkcs8(file, block.der());
                case "RSA PRIVATE KEY":
                    return pkcs8(file, rsaToPkcs8(block.der()));
                case "ENCRYPTED PRIVATE KEY":
                    throw new IllegalArgumentException(file + " holds an encrypted key: give it unencrypted"
                            + " (openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pem), readable by drpilot only");
                case "EC PRIVATE KEY":
                    throw new IllegalArgumentException(file + " holds an EC key in SEC1 form: convert it to PKCS#8"
                            + " (openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pem)");
                default:
                    break;
            }
        }
        throw new IllegalArgumentException(file + " is not a PEM private key (no -----BEGIN PRIVATE KEY----- block)");
    }

    private static PrivateKey pkcs8(Path file, byte[] der) {
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // Not this algorithm: the next one is tried.
            }
        }
        throw new IllegalArgumentException(file + " holds a private key that is not RSA, EC or EdDSA, or is damaged");
    }

    private record Block(String type, byte[] der) {
    }

    private static List<Block> blocks(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException | SecurityException e) {
            throw new IllegalArgumentException("cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
        }
        List<Block> blocks = new ArrayList<>();
        Matcher matcher = BLOCK.matcher(text);
        while (matcher.find()) {
            try {
                blocks.add(new Block(matcher.group(1), Base64.getMimeDecoder().decode(matcher.group(2))));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + " has a damaged " + matcher.group(1) + " block (not base64)");
            }
        }
        return blocks;
    }

    /** PrivateKeyInfo { version 0, rsaEncryption, OCTET STRING pkcs1 }, DER-encoded. */
    private static byte[] rsaToPkcs8(byte[] pkcs1) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[]{0x02, 0x01, 0x00});
        body.writeBytes(RSA_ALGORITHM);
        body.writeBytes(tagged(0x04, pkcs1));
        return tagged(0x30, body.toByteArray());
    }

    private static byte[] tagged(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int length = content.length;
        if (length < 0x80) {
            out.write(length);
        } else {
            int bytes = length > 0xffffff ? 4 : length > 0xffff ? 3 : length > 0xff ? 2 : 1;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(length >>> (8 * i));
            }
        }
        out.writeBytes(content);
        return out.toByteArray();
    }
}
