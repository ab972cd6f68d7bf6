package dev.drpilot.image;

import com.github.luben.zstd.Zstd;
import net.jpountz.lz4.LZ4Factory;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.xerial.snappy.Snappy;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * Run by {@link ImageIT} inside the unpacked image, on the image's Java and with the image's
 * classpath: what {@code version} and {@code config check} never touch, the native code of the
 * application's jars (RocksDB for the detector's state stores; the Kafka compression codecs)
 * loading against the image's shared libraries, TLS trust, entropy and a writable working
 * directory. Prints one line per check; any failure ends the JVM with a stack trace.
 */
public final class NativeCheck {
    private NativeCheck() {
    }

    public static void main(String[] args) throws Exception {
        byte[] data = "drpilot image native check ".repeat(64).getBytes(StandardCharsets.UTF_8);

        RocksDB.loadLibrary();
        Path db = Files.createTempDirectory("rocksdb");
        try (Options options = new Options().setCreateIfMissing(true); RocksDB rocks = RocksDB.open(options, db.toString())) {
            rocks.put("k".getBytes(StandardCharsets.UTF_8), data);
            check(Arrays.equals(data, rocks.get("k".getBytes(StandardCharsets.UTF_8))), "rocksdb get");
        }
        System.out.println("rocksdb ok");

        check(Arrays.equals(data, Snappy.uncompress(Snappy.compress(data))), "snappy");
        System.out.println("snappy ok");
        check(Arrays.equals(data, Zstd.decompress(Zstd.compress(data), data.length)), "zstd");
        System.out.println("zstd ok");
        LZ4Factory lz4 = LZ4Factory.nativeInstance();
        check(Arrays.equals(data, lz4.fastDecompressor().decompress(lz4.fastCompressor().compress(data), data.length)), "lz4");
        System.out.println("lz4 ok");

        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init((KeyStore) null);
        int authorities = ((X509TrustManager) trust.getTrustManagers()[0]).getAcceptedIssuers().length;
        check(authorities > 50, "only " + authorities + " trusted certificate authorities");
        SSLContext.getDefault().createSSLEngine().getSupportedCipherSuites();
        System.out.println("tls ok: " + authorities + " certificate authorities");

        new SecureRandom().nextLong();
        System.out.println("entropy ok");

        Path workDir = Path.of("").toAbsolutePath();
        Path state = Files.createDirectories(Path.of("var", "kafka"));
        Files.delete(state);
        Files.delete(state.getParent());
        System.out.println("workdir ok: " + workDir + " writable by " + System.getProperty("user.name"));
        System.out.println("tmpdir: " + System.getProperty("java.io.tmpdir"));
        System.out.println("jvm args: " + ManagementFactory.getRuntimeMXBean().getInputArguments());
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException("failed: " + what);
        }
    }
}
