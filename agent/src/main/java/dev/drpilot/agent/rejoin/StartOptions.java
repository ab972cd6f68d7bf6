package dev.drpilot.agent.rejoin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The options a server last ran with, from its {@code postmaster.opts} (what {@code pg_ctl restart} reads too): the
 * rejoined server is started as it ran before, and pg_rewind's crash recovery is given its config file when it was not in
 * the data directory. Read before the rejoin: neither pg_rewind nor pg_basebackup carries the file over.
 *
 * @param serverOptions for {@code pg_ctl start -o}: every argument but the data directory, quoted as the server wrote them
 * @param configFile    {@code config_file}, when the server was given one
 */
public record StartOptions(String serverOptions, Optional<Path> configFile) {
    public static final StartOptions NONE = new StartOptions("", Optional.empty());
    private static final Pattern ARGUMENT = Pattern.compile("\"([^\"]*)\"");
    private static final Pattern CONFIG_FILE = Pattern.compile("(?:--config[-_]file=|config_file=)(.+)");

    /** From {@code dataDir/postmaster.opts}; {@link #NONE} when the server never ran there (postgresql.conf has it all). */
    public static StartOptions read(Path dataDir) throws IOException {
        Path file = dataDir.resolve("postmaster.opts");
        return Files.exists(file) ? parse(Files.readString(file, StandardCharsets.UTF_8)) : NONE;
    }

    /** {@code /usr/lib/postgresql/15/bin/postgres "-D" "/data" "-p" "5433"}: the program, then each argument in double quotes. */
    public static StartOptions parse(String line) {
        List<String> arguments = new ArrayList<>();
        Matcher argument = ARGUMENT.matcher(line.strip());
        while (argument.find()) {
            arguments.add(argument.group(1));
        }
        List<String> kept = new ArrayList<>();
        Optional<Path> configFile = Optional.empty();
        for (int i = 0; i < arguments.size(); i++) {
            String value = arguments.get(i);
            if (value.equals("-D")) {
                i++;   // pg_ctl -D names the data directory itself
                continue;
            }
            if (value.startsWith("-D") || value.startsWith("--data-directory=") || value.startsWith("--data_directory=")) {
                continue;
            }
            Matcher config = CONFIG_FILE.matcher(value);
            if (config.matches()) {
                configFile = Optional.of(Path.of(config.group(1)));
            }
            kept.add(value);
        }
        return new StartOptions(kept.stream().map(value -> "\"" + value + "\"").collect(Collectors.joining(" ")), configFile);
    }
}
