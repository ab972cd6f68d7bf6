package dev.drpilot.detector.metrics;

import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;

import java.util.Map;

/** Kafka Streams' log-and-continue for records a rule failed on (to the dead-letter topic), counting each in {@link DeadLetters}. */
public final class CountingProcessingHandler extends LogAndContinueProcessingExceptionHandler {
    private DeadLetters deadLetters = new DeadLetters();

    @Override
    public void configure(Map<String, ?> configs) {
        super.configure(configs);
        deadLetters = DeadLetters.from(configs);
    }

    @Override
    public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
        Response response = super.handleError(context, record, exception);
        deadLetters.count("processing", context, exception);
        return response;
    }
}
