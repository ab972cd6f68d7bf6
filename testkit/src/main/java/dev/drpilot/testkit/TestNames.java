package dev.drpilot.testkit;

import java.util.concurrent.atomic.AtomicInteger;

/** Names that no other test in the same run uses, for topics, groups and application ids on the shared broker. */
public final class TestNames {
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private TestNames() {
    }

    public static String unique(String prefix) {
        return prefix + "-" + ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet();
    }
}
