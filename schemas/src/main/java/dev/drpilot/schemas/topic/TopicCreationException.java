package dev.drpilot.schemas.topic;

/** drpilot's topics could not all be created; the message names each topic that failed and why. */
public class TopicCreationException extends RuntimeException {
    private final transient TopicAdmin.Result result;

    public TopicCreationException(TopicAdmin.Result result) {
        super("cannot create Kafka topics: " + result.failures());
        this.result = result;
    }

    public TopicCreationException(String message, Throwable cause) {
        super(message, cause);
        this.result = null;
    }

    /** Per-topic outcomes, or null when creation was interrupted. */
    public TopicAdmin.Result result() {
        return result;
    }
}
