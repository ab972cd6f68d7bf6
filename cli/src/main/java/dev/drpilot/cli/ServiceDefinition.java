package dev.drpilot.cli;

import dev.drpilot.schemas.topic.Topic;

import java.util.List;

/** One of drpilot's services as the launcher sees it: its name, the topics it uses and how to start it. */
record ServiceDefinition(String name, List<Topic<?, ?>> topics, Starter starter) {
    ServiceDefinition {
        topics = List.copyOf(topics);
    }

    @FunctionalInterface
    interface Starter {
        /** Starts the service; closing the result stops it. */
        AutoCloseable start(ServiceContext context) throws Exception;
    }
}
