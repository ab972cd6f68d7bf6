package dev.drpilot.agent;

/**
 * A monotonic clock in nanoseconds: the only clock the lease is measured on. Wall time can jump (NTP steps, a person
 * setting the date); a lease measured on it could expire late. Tests pass a clock they move by hand.
 */
@FunctionalInterface
public interface NanoClock {
    NanoClock SYSTEM = System::nanoTime;

    long nanoTime();
}
