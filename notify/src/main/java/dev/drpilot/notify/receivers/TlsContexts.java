package dev.drpilot.notify.receivers;

import dev.drpilot.config.PemFiles;
import dev.drpilot.config.TlsSettings;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The {@link SSLContext} of a receiver's {@code tls} settings: its CA file instead of the JVM's roots, its client
 * certificate for servers that ask for one, the server's certificate checked against {@code serverName} instead of the
 * URL's host when one is given, or nothing checked at all with {@code insecureSkipVerify}. The files were checked when
 * the configuration was loaded; they are read again here, so a certificate renewed on disk is used after a restart.
 */
final class TlsContexts {
    private static final char[] IN_MEMORY = "drpilot".toCharArray();

    private TlsContexts() {
    }

    /**
     * A context and whether a server asked it for a client certificate it does not have. With TLS 1.3 the server's
     * refusal comes after the client's side of the handshake is done, so the client mostly sees a reset connection,
     * not the alert; that the server asked is the certain sign.
     */
    record ClientTls(SSLContext context, AtomicBoolean certificateAskedFor) {
    }

    static SSLContext of(TlsSettings tls) {
        return client(tls).context();
    }

    static ClientTls client(TlsSettings tls) {
        AtomicBoolean certificateAskedFor = new AtomicBoolean();
        try {
            KeyManager[] keys = {new NoClientCertificate(certificateAskedFor)};
            if (tls.certFile().isPresent() && tls.keyFile().isPresent()) {
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                store.setKeyEntry("client", PemFiles.privateKey(tls.keyFile().get()), IN_MEMORY,
                        PemFiles.certificates(tls.certFile().get()).toArray(new Certificate[0]));
                KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                factory.init(store, IN_MEMORY);
                keys = factory.getKeyManagers();
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys, new TrustManager[]{tls.insecureSkipVerify() ? new TrustingEveryone() : trustManager(tls)}, null);
            return new ClientTls(context, certificateAskedFor);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot set up TLS from " + tls + ": " + e.getMessage(), e);
        }
    }

    private static X509ExtendedTrustManager trustManager(TlsSettings tls) throws GeneralSecurityException, IOException {
        KeyStore roots = null;   // null: the JVM's trusted roots
        if (tls.caFile().isPresent()) {
            roots = KeyStore.getInstance(KeyStore.getDefaultType());
            roots.load(null, null);
            List<X509Certificate> authorities = PemFiles.certificates(tls.caFile().get());
            for (int i = 0; i < authorities.size(); i++) {
                roots.setCertificateEntry("ca-" + i, authorities.get(i));
            }
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(roots);
        X509ExtendedTrustManager chains = Arrays.stream(factory.getTrustManagers()).filter(X509ExtendedTrustManager.class::isInstance)
                .map(X509ExtendedTrustManager.class::cast).findFirst().orElseThrow(() -> new GeneralSecurityException("no X.509 trust manager"));
        return tls.serverName().<X509ExtendedTrustManager>map(name -> new NamedServer(chains, name)).orElse(chains);
    }

    /**
     * Whether a certificate names the host: its DNS subject alternative names (a {@code *.} wildcard covers one label) or
     * its IP address names. As Go (and so Prometheus) does, the subject's CN is not looked at.
     */
    static boolean names(X509Certificate certificate, String host) throws CertificateParsingException {
        Collection<List<?>> alternatives = certificate.getSubjectAlternativeNames();
        if (alternatives == null) {
            return false;
        }
        InetAddress address = ipLiteral(host);
        String lower = host.toLowerCase(Locale.ROOT);
        for (List<?> alternative : alternatives) {
            int type = (Integer) alternative.get(0);
            String value = String.valueOf(alternative.get(1)).toLowerCase(Locale.ROOT);
            if (type == 2 && address == null && (value.equals(lower) || wildcardCovers(value, lower))) {
                return true;
            }
            if (type == 7 && address != null && address.equals(ipLiteral(value))) {
                return true;
            }
        }
        return false;
    }

    private static boolean wildcardCovers(String pattern, String host) {
        int dot = host.indexOf('.');
        return pattern.startsWith("*.") && dot > 0 && host.substring(dot).equals(pattern.substring(1));
    }

    /** The address of an IP literal, null for a name (never a DNS lookup). */
    private static InetAddress ipLiteral(String host) {
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (!bare.contains(":") && !bare.matches("[0-9.]+")) {
            return null;
        }
        try {
            return InetAddress.getByName(bare);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** Checks the chain as the JVM does, then the server's identity against {@code serverName} rather than the URL's host. */
    private static final class NamedServer extends X509ExtendedTrustManager {
        private final X509ExtendedTrustManager chains;
        private final String serverName;

        NamedServer(X509ExtendedTrustManager chains, String serverName) {
            this.chains = chains;
            this.serverName = serverName;
        }

        private void checkServer(X509Certificate[] chain, String authType) throws CertificateException {
            chains.checkServerTrusted(chain, authType);   // the chain only: no identity check against the URL's host
            if (!names(chain[0], serverName)) {
                List<String> alternatives = new ArrayList<>();
                Collection<List<?>> written = chain[0].getSubjectAlternativeNames();
                if (written != null) {
                    written.forEach(alternative -> alternatives.add(String.valueOf(alternative.get(1))));
                }
                throw new CertificateException("the server's certificate is not for serverName " + serverName + " (it names "
                        + (alternatives.isEmpty() ? "no subject alternative names" : String.join(", ", alternatives)) + ")");
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            checkServer(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            checkServer(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            checkServer(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            chains.checkClientTrusted(chain, authType, socket);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            chains.checkClientTrusted(chain, authType, engine);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            chains.checkClientTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return chains.getAcceptedIssuers();
        }
    }

    /** The key manager of a context without a client certificate: notes that a server asked for one. */
    private static final class NoClientCertificate extends X509ExtendedKeyManager {
        private final AtomicBoolean askedFor;

        NoClientCertificate(AtomicBoolean askedFor) {
            this.askedFor = askedFor;
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            askedFor.set(true);
            return null;
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            askedFor.set(true);
            return null;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return null;
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return null;
        }
    }

    /** {@code insecureSkipVerify}: any certificate, any name. Being an extended trust manager, no identity check is added. */
    private static final class TrustingEveryone extends X509ExtendedTrustManager {
        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
