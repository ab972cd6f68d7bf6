package dev.drpilot.agent.rejoin;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** A rejoined server starts with the options it last ran with, its data directory named by pg_ctl alone. */
class StartOptionsTest {
    @Test
    void everyArgumentButTheDataDirectoryIsKeptAsTheServerWroteIt() {
        StartOptions options = StartOptions.parse("/usr/lib/postgresql/15/bin/postgres \"-D\" \"/tmp/pg/rejoin-1\" \"-p\" \"46265\" \"-k\""
                + " \"/tmp/pg/s46265\" \"-c\" \"listen_addresses=127.0.0.1\" \"-c\" \"cluster_name=rejoin 1\"\n");

        assertThat(options.serverOptions()).isEqualTo("\"-p\" \"46265\" \"-k\" \"/tmp/pg/s46265\" \"-c\" \"listen_addresses=127.0.0.1\""
                + " \"-c\" \"cluster_name=rejoin 1\"");
        assertThat(options.configFile()).isEmpty();
    }

    @Test
    void aConfigFileOutsideTheDataDirectoryIsNamed() {
        assertThat(StartOptions.parse("/usr/lib/postgresql/15/bin/postgres \"-D\" \"/var/lib/postgresql/15/main\" \"-c\""
                + " \"config_file=/etc/postgresql/15/main/postgresql.conf\"").configFile())
                .hasValue(Path.of("/etc/postgresql/15/main/postgresql.conf"));
        assertThat(StartOptions.parse("/usr/bin/postgres \"--config-file=/etc/pg.conf\" \"-D/data\"")).satisfies(options -> {
            assertThat(options.configFile()).hasValue(Path.of("/etc/pg.conf"));
            assertThat(options.serverOptions()).isEqualTo("\"--config-file=/etc/pg.conf\"");
        });
    }

    @Test
    void aServerStartedWithoutOptionsHasNone() {
        assertThat(StartOptions.parse("/usr/lib/postgresql/15/bin/postgres \"-D\" \"/data\"")).isEqualTo(StartOptions.NONE);
    }
}
