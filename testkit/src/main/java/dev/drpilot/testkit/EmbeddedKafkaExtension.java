package dev.drpilot.testkit;

import dev.drpilot.broker.EmbeddedKafkaBroker;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * One real Kafka broker (KRaft, in-process) per test JVM, shared by every test class that
 * declares {@code @ExtendWith(EmbeddedKafkaExtension.class)}; it is stopped and its data removed
 * when the JVM's test run ends. Test methods or constructors receive it as an
 * {@link EmbeddedKafkaBroker} parameter. Tests share the broker, so each uses its own topic
 * and group names ({@link TestNames#unique(String)}) or the catalogue's topics idempotently.
 */
public final class EmbeddedKafkaExtension implements ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(EmbeddedKafkaExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == EmbeddedKafkaBroker.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return broker(context);
    }

    /** The shared broker, started on first use. */
    public static EmbeddedKafkaBroker broker(ExtensionContext context) {
        // The root store lives as long as the test run, so the broker starts once per JVM.
        return context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(SharedBroker.class, key -> SharedBroker.start(), SharedBroker.class)
                .broker();
    }

    /** Closed by JUnit at the end of the run, as every AutoCloseable in a store is. */
    private record SharedBroker(EmbeddedKafkaBroker broker, Path stateDir) implements AutoCloseable {
        static SharedBroker start() {
            try {
                Path dir = Files.createTempDirectory("drpilot-test-kafka-");
                return new SharedBroker(EmbeddedKafkaBroker.builder(dir).build().start(), dir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() throws IOException {
            broker.close();
            deleteRecursively(stateDir);
        }
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
