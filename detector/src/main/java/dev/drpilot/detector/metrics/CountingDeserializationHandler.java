package dev.drpilot.detector.metrics;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;

import java.util.Map;

/** Kafka Streams' log-and-continue for records that cannot be read (to the dead-letter topic), counting each in {@link DeadLetters}. */
public final class CountingDeserializationHandler extends LogAndContinueExceptionHandler {
    private DeadLetters deadLetters = new DeadLetters();

    @Override
    public void configure(Map<String, ?> configs) {
        super.configure(configs);
        deadLetters = DeadLetters.from(configs);
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
        Response response = super.handleError(context, record, exception);
        deadLetters.count("deserialization", context, exception);
        return response;
    }
}
