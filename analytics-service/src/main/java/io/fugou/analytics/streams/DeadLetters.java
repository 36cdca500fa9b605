package io.fugou.analytics.streams;

import static io.fugou.platform.kafka.DeadLetterPublisher.DEAD_LETTER_SUFFIX;
import static io.fugou.platform.kafka.DeadLetterPublisher.REASON_HEADER;

import io.fugou.platform.kafka.DeadLetterPublisher;
import io.fugou.serde.avro.UnknownEventException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the topologies do with a record they cannot read or process: an event of a type this service does not know yet (a
 * newer producer) is skipped and logged, as every reader of the platform does; any other record goes, as it came, to its
 * topic's dead-letter topic ({@code <topic>.DLT}, where the services park theirs) with the reason, and processing goes on.
 * The dead letter is written in the same exactly-once transaction as the offsets that pass it.
 */
public class DeadLetters implements DeserializationExceptionHandler, ProcessingExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);

    @Override
    public DeserializationExceptionHandler.Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record,
                                                                Exception exception) {
        if (exception instanceof UnknownEventException unknown) {
            log.warn("Skipped an event of a type this service does not know at {}-{}@{}: {}", record.topic(), record.partition(),
                    record.offset(), unknown.getMessage());
            return DeserializationExceptionHandler.Response.resume();
        }
        log.error("Dead-lettered an unreadable record at {}-{}@{}", record.topic(), record.partition(), record.offset(), exception);
        return DeserializationExceptionHandler.Response.resume(List.of(deadLetter(record.topic(), record.key(), record.value(), record.headers(),
                exception)));
    }

    @Override
    public ProcessingExceptionHandler.Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
        if (context.topic() == null || context.sourceRawValue() == null) {
            // A punctuation's failure has no record of its own: the next punctuation tries again.
            log.error("A punctuation failed in {} (task {})", context.processorNodeId(), context.taskId(), exception);
            return ProcessingExceptionHandler.Response.resume();
        }
        log.error("Dead-lettered a record {} could not process at {}-{}@{}", context.processorNodeId(), context.topic(), context.partition(),
                context.offset(), exception);
        return ProcessingExceptionHandler.Response.resume(List.of(deadLetter(context.topic(), context.sourceRawKey(), context.sourceRawValue(),
                context.headers(), exception)));
    }

    private static ProducerRecord<byte[], byte[]> deadLetter(String topic, byte[] key, byte[] value, Headers headers, Exception exception) {
        ProducerRecord<byte[], byte[]> deadLetter = new ProducerRecord<>(topic + DEAD_LETTER_SUFFIX, null, key, value, headers);
        deadLetter.headers().add(REASON_HEADER, DeadLetterPublisher.reason(exception).getBytes(StandardCharsets.UTF_8));
        return deadLetter;
    }

    @Override
    public void configure(Map<String, ?> configs) {
    }
}
