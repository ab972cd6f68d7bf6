package dev.drpilot.agent.rejoin;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Output captured from the PostgreSQL 15 binaries (pg_controldata, pg_waldump) and a history file, under rejoin/. */
final class Fixtures {
    private Fixtures() {
    }

    static String read(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/rejoin/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture rejoin/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
