package dev.drpilot.runtime;

/** Who commits a subscribed loop's offsets. */
public enum CommitPolicy {
    /** The loop commits a record's offset right after its handler said {@link Outcome#done()}, one record at a time. */
    AFTER_EACH_RECORD,
    /** Nothing is committed: a consumer without a group, or one that should start afresh each time. */
    NONE
}
