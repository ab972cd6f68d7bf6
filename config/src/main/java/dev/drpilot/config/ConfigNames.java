package dev.drpilot.config;

import java.util.Locale;

/** How enum constants are written in the configuration: lower case with dashes ({@code DRY_RUN} is {@code dry-run}). */
public final class ConfigNames {
    private ConfigNames() {
    }

    public static String of(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
