package io.fugou.analytics.streams;

import static io.fugou.platform.kafka.DeadLetterPublisher.DEAD_LETTER_SUFFIX;
import static io.fugou.platform.kafka.DeadLetterPublisher.REASON_HEADER;

import io.fugou.serde.avro.UnknownEventException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the topologies do with a record they cannot read: an event of a type this service does not know yet (a newer
 * producer) is skipped and logged, as every reader of the platform does; anything else goes, as it came, to its topic's
 * dead-letter topic ({@code <topic>.DLT}, where the services park theirs) with the reason, and processing goes on.
 */
public class DeadLettersOrSkip implements DeserializationExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(DeadLettersOrSkip.class);

    @Override
    public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
        if (exception instanceof UnknownEventException unknown) {
            log.warn("Skipped an event of a type this service does not know at {}-{}@{}: {}", record.topic(), record.partition(),
                    record.offset(), unknown.getMessage());
            return Response.resume();
        }
        log.error("Dead-lettered an unreadable record at {}-{}@{}", record.topic(), record.partition(), record.offset(), exception);
        ProducerRecord<byte[], byte[]> deadLetter = new ProducerRecord<>(record.topic() + DEAD_LETTER_SUFFIX, null, record.key(), record.value(),
                record.headers());
        deadLetter.headers().add(REASON_HEADER, reason(exception).getBytes(StandardCharsets.UTF_8));
        return Response.resume(List.of(deadLetter));
    }

    /** The whole cause chain on one line. */
    private static String reason(Throwable failure) {
        StringBuilder reason = new StringBuilder();
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (!reason.isEmpty()) {
                reason.append(" <- ");
            }
            reason.append(cause.getClass().getName()).append(": ").append(cause.getMessage());
        }
        return reason.toString();
    }

    @Override
    public void configure(Map<String, ?> configs) {
    }
}
