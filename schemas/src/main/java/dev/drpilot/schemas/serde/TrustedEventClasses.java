package dev.drpilot.schemas.serde;

import org.apache.avro.util.ClassSecurityValidator;
import org.apache.avro.util.ClassSecurityValidator.ClassSecurityPredicate;

/**
 * Avro (1.12.1+) refuses to instantiate classes named in a schema unless they are trusted, to
 * stop hostile data from loading arbitrary classes. drpilot's generated event classes are added
 * to whatever the JVM already trusts, and nothing else.
 */
final class TrustedEventClasses {
    static final String EVENTS_PACKAGE = "dev.drpilot.events";
    private static final ClassSecurityPredicate EVENTS = type -> EVENTS_PACKAGE.equals(type.getPackageName());
    private static boolean installed;

    private TrustedEventClasses() {
    }

    static synchronized void install() {
        if (!installed) {
            ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(ClassSecurityValidator.getGlobal(), EVENTS));
            installed = true;
        }
    }
}
