package dev.drpilot.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The image tar Jib built: its manifest and configuration, then its layers unpacked in order
 * into a root filesystem where the entrypoint runs, as the image's user, with the image's
 * environment and working directory. There is no container engine here; util-linux's unshare
 * stands in for one (a mount and PID namespace with /proc and /dev, then chroot, chdir and
 * setuid), which needs root, as CI and the development machines run.
 */
class ImageIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Far above the ~185 MiB of today (155 MiB of it the dependencies' jars): a guard against a doubling. */
    private static final long MAX_TAR_BYTES = 300L << 20;

    private static Path tar;
    private static Path work;
    private static Path rootfs;
    private static JsonNode config;

    @BeforeAll
    static void unpack() throws Exception {
        tar = Path.of(System.getProperty("drpilot.image.tar"));
        assertThat(tar).as("the image tar; build it with ./mvnw -pl image -am package").isRegularFile();
        work = tar.resolveSibling("image-it");
        deleteRecursively(work);
        Path archive = Files.createDirectories(work.resolve("archive"));
        run(List.of("tar", "-xf", tar.toString(), "-C", archive.toString()), Map.of(), 60);

        JsonNode manifests = JSON.readTree(archive.resolve("manifest.json").toFile());
        assertThat(manifests).hasSize(1);
        JsonNode manifest = manifests.get(0);
        assertThat(manifest.path("RepoTags")).extracting(JsonNode::asText).containsExactly(System.getProperty("drpilot.image"));
        config = JSON.readTree(archive.resolve(manifest.path("Config").asText()).toFile());

        rootfs = Files.createDirectories(work.resolve("rootfs"));
        for (JsonNode layer : manifest.path("Layers")) {
            Path layerFile = archive.resolve(layer.asText());
            // Jib from scratch writes no whiteouts (a layer deleting files of one below); unpacking
            // would not apply them, so make sure there are none.
            String entries = run(List.of("tar", "--warning=no-unknown-keyword", "-tzf", layerFile.toString()), Map.of(), 60).stdout;
            assertThat(entries.lines().filter(e -> Path.of(e).getFileName() != null
                    && Path.of(e).getFileName().toString().startsWith(".wh."))).as("whiteouts in %s", layer).isEmpty();
            run(List.of("tar", "--warning=no-unknown-keyword", "--same-owner", "--same-permissions", "--numeric-owner",
                    "-xzf", layerFile.toString(), "-C", rootfs.toString()), Map.of(), 120);
        }
        deleteRecursively(archive);
        // What a container runtime mounts itself.
        Files.createDirectories(rootfs.resolve("proc"));
        Files.createDirectories(rootfs.resolve("dev"));
    }

    @Test
    void isATarOfSaneSizeTaggedWithTheReleaseOfThisVersion() throws IOException {
        long bytes = Files.size(tar);
        System.out.printf("image tar: %s, %.1f MiB%n", tar, bytes / 1048576.0);
        assertThat(bytes).isLessThan(MAX_TAR_BYTES);
        String image = System.getProperty("drpilot.image");
        String version = System.getProperty("drpilot.version");
        assertThat(image.substring(image.lastIndexOf(':') + 1))
                .as("the tag of drpilot.image (parent pom) is the release of %s: bump it, and k8s/, with the version", version)
                .isEqualTo(version.replaceFirst("-SNAPSHOT$", ""));
    }

    @Test
    void runsDrpilotAsTheNonRootUserWithContainerJvmFlags() {
        assertThat(config.path("os").asText()).isEqualTo("linux");
        assertThat(config.path("architecture").asText()).isEqualTo("amd64");
        JsonNode container = config.path("config");
        assertThat(container.path("User").asText()).isEqualTo("65532:65532");
        assertThat(container.path("WorkingDir").asText()).isEqualTo("/var/lib/drpilot");
        List<String> entrypoint = entrypoint();
        assertThat(entrypoint).startsWith("java").endsWith("dev.drpilot.cli.Main")
                .contains("-XX:+ExitOnOutOfMemoryError", "-Djava.io.tmpdir=/tmp", "-Dnetworkaddress.cache.ttl=5",
                        "-Duser.language.format=en", "-Duser.country.format=US");
        assertThat(container.path("Cmd").isMissingNode() || container.path("Cmd").isNull() || container.path("Cmd").isEmpty())
                .as("no Cmd: a Deployment's args are drpilot's arguments").isTrue();
        assertThat(env()).containsEntry("JAVA_HOME", "/opt/java")
                .containsEntry("PATH", "/opt/java/bin:/usr/bin:/bin")
                .containsEntry("JAVA_TOOL_OPTIONS", "-XX:MaxRAMPercentage=50 -XX:InitialRAMPercentage=25 -XX:MaxDirectMemorySize=64m"
                        + " -XX:MaxMetaspaceSize=192m")
                .containsEntry("MALLOC_ARENA_MAX", "2");
        assertThat(container.path("Labels").path("org.opencontainers.image.title").asText()).isEqualTo("drpilot");
        assertThat(container.path("Labels").path("org.opencontainers.image.version").asText()).isEqualTo(System.getProperty("drpilot.version"));
        assertThat(container.path("Labels").path("org.opencontainers.image.source").asText()).startsWith("https://");
    }

    @Test
    void holdsAJavaRuntimeTheUserAndWritableDirectories() throws IOException {
        assertThat(Files.readString(rootfs.resolve("etc/passwd"))).contains("drpilot:x:65532:65532:");
        assertThat(Files.readString(rootfs.resolve("etc/group"))).contains("drpilot:x:65532:");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(rootfs.resolve("opt/java/bin/java")))).isEqualTo("rwxr-xr-x");
        assertThat(rootfs.resolve("lib64/ld-linux-x86-64.so.2")).isRegularFile();
        assertThat(Files.size(rootfs.resolve("opt/java/lib/security/cacerts"))).isGreaterThan(50_000);
        for (String dir : List.of("tmp", "var/lib/drpilot")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(rootfs.resolve(dir)))).as(dir).isEqualTo("rwxrwxrwx");
        }
        assertThat(rootfs.resolve("opt/java/lib/libawt_xawt.so")).as("no GUI libraries").doesNotExist();
        try (Stream<Path> files = Files.walk(rootfs)) {
            assertThat(files.filter(Files::isSymbolicLink)).as("symbolic links").isEmpty();
        }
    }

    @Test
    void printsItsVersion() throws Exception {
        Result result = runInImage(List.of("version"), Map.of());
        assertThat(result.stdout).contains("drpilot " + System.getProperty("drpilot.version"))
                .contains("Kafka clients ").contains("Java 17");
    }

    @Test
    void checksTheExampleConfiguration() throws Exception {
        Path config = rootfs.resolve("etc/drpilot/drpilot.yaml");
        Files.createDirectories(config.getParent());
        Files.copy(Path.of(System.getProperty("drpilot.example.config")), config);
        Result result = runInImage(List.of("config", "check", "/etc/drpilot/drpilot.yaml"),
                Map.of("ORDERS_DB_PASSWORD", "secret", "PD_ROUTING_KEY", "secret", "SMTP_PASSWORD", "secret"));
        assertThat(result.stdout).startsWith("# /etc/drpilot/drpilot.yaml: valid.").contains("bootstrapServers");
    }

    @Test
    void loadsTheNativeCodeOfItsJarsAndTrustsThePublicCertificateAuthorities() throws Exception {
        // The entrypoint's JVM with a copy of NativeCheck on the front of the image's classpath.
        Path classes = Path.of(NativeCheck.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path target = rootfs.resolve("it/dev/drpilot/image/NativeCheck.class");
        Files.createDirectories(target.getParent());
        Files.copy(classes.resolve("dev/drpilot/image/NativeCheck.class"), target);
        String classpath = Files.readString(rootfs.resolve("app/jib-classpath-file")).strip();
        List<String> command = new ArrayList<>();
        for (String arg : entrypoint()) {
            command.add(arg.equals("@/app/jib-classpath-file") ? "/it:" + classpath
                    : arg.equals("dev.drpilot.cli.Main") ? NativeCheck.class.getName() : arg);
        }
        Result result = runAs(command, Map.of());
        assertThat(result.stdout).contains("rocksdb ok", "snappy ok", "zstd ok", "lz4 ok", "tls ok", "entropy ok",
                "workdir ok: /var/lib/drpilot writable by drpilot", "tmpdir: /tmp", "-XX:MaxRAMPercentage=50");
    }

    private static Result runInImage(List<String> args, Map<String, String> env) throws Exception {
        List<String> command = new ArrayList<>(entrypoint());
        command.addAll(args);
        return runAs(command, env);
    }

    /** The command in the unpacked image as a container engine would run it. */
    private static Result runAs(List<String> command, Map<String, String> extraEnv) throws Exception {
        Result id = run(List.of("id", "-u"), Map.of(), 10);
        if (!id.stdout.strip().equals("0")) {
            throw new AssertionError("ImageIT runs the image's entrypoint under chroot, which needs root (uid "
                    + id.stdout.strip() + " here). Run it as root, as CI does, or skip it with -DskipITs.");
        }
        String[] user = config.path("config").path("User").asText().split(":");
        List<String> full = new ArrayList<>(List.of(
                tool("unshare"), "--mount", "--pid", "--fork", "--kill-child", "/bin/sh", "-c",
                "root=$1; shift; mount -t proc proc \"$root/proc\" && mount --rbind /dev \"$root/dev\" && exec \"$@\"",
                "sh", rootfs.toString(),
                tool("unshare"), "--root=" + rootfs, "--wd=" + config.path("config").path("WorkingDir").asText(),
                "--setgid=" + user[1], "--setuid=" + user[0]));
        full.addAll(command);
        Map<String, String> env = new LinkedHashMap<>(env());
        env.putAll(extraEnv);
        Result result = run(full, env, 120);
        System.out.printf("%s%n--- stdout%n%s--- stderr%n%s%n", command, result.stdout, result.stderr);
        assertThat(result.exit).as("exit of %s; stderr:%n%s", command, result.stderr).isZero();
        return result;
    }

    private static String tool(String name) {
        return Stream.of("/usr/bin/", "/bin/", "/usr/sbin/", "/sbin/").map(dir -> dir + name).filter(p -> Files.isExecutable(Path.of(p)))
                .findFirst().orElseThrow(() -> new AssertionError(name + " not found (Debian: apt-get install util-linux)"));
    }

    private static List<String> entrypoint() {
        List<String> entrypoint = new ArrayList<>();
        config.path("config").path("Entrypoint").forEach(arg -> entrypoint.add(arg.asText()));
        return entrypoint;
    }

    private static Map<String, String> env() {
        Map<String, String> env = new LinkedHashMap<>();
        config.path("config").path("Env").forEach(e -> {
            String[] kv = e.asText().split("=", 2);
            env.put(kv[0], kv[1]);
        });
        return env;
    }

    private record Result(int exit, String stdout, String stderr) {
    }

    /** Runs a host command; with a non-empty env, in exactly that environment. */
    private static Result run(List<String> command, Map<String, String> env, int timeoutSeconds) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command);
        if (!env.isEmpty()) {
            builder.environment().clear();
            builder.environment().putAll(env);
        }
        Path out = Files.createTempFile("image-it", ".out");
        Path err = Files.createTempFile("image-it", ".err");
        try {
            Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(command + " did not end within " + timeoutSeconds + " s");
            }
            Result result = new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
            if (env.isEmpty() && result.exit != 0) {
                throw new AssertionError(command + " exited " + result.exit + ": " + result.stderr);
            }
            return result;
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
