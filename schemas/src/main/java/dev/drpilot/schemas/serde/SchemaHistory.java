package dev.drpilot.schemas.serde;

import org.apache.avro.Schema;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Every committed version of each event schema, kept as {@code avro-history/<Record>/v<N>.avsc}
 * on the classpath (fully resolved: named types inlined, so each file parses on its own).
 * Readers register them so that data from older writers stays readable; the compatibility test
 * checks the current schema against each of them.
 */
public final class SchemaHistory {
    private static final String ROOT = "avro-history/";

    private SchemaHistory() {
    }

    /** Versions v1, v2, ... of {@code recordName} in order; empty if none was committed yet. */
    public static List<Schema> versionsOf(String recordName) {
        List<Schema> versions = new ArrayList<>();
        for (int version = 1; ; version++) {
            String resource = ROOT + recordName + "/v" + version + ".avsc";
            try (InputStream in = SchemaHistory.class.getClassLoader().getResourceAsStream(resource)) {
                if (in == null) {
                    return versions;
                }
                versions.add(new Schema.Parser().parse(in));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + resource, e);
            }
        }
    }
}
