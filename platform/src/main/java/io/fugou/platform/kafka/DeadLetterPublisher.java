package io.fugou.platform.kafka;

import io.micrometer.core.instrument.MeterRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.kafka.core.ProducerFactory;
import org.springframework.kafka.listener.ConsumerRecordRecoverer;
import org.springframework.kafka.listener.ListenerExecutionFailedException;
import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.kafka.support.KafkaUtils;
import org.springframework.kafka.support.serializer.DeserializationException;
import org.springframework.kafka.support.serializer.SerializationUtils;

/**
 * Parks a record that can never be processed on {@code <topic>.DLT}: the original key and value
 * bytes (never re-serialized), the original headers, where it came from and why it failed. It goes
 * to the partition its key hashes to, so one member's dead letters stay in order. A failed publish
 * is retried, holding the partition, for up to {@code deadLetterHold}; then the failure is thrown
 * so the error handler seeks back and the record is tried again: a dead letter is never dropped.
 *
 * <p>Written instead of spring-kafka's {@code DeadLetterPublishingRecoverer} because that one
 * re-serializes every record whose value was read, the very thing dead letters must not depend on.
 */
public class DeadLetterPublisher implements ConsumerRecordRecoverer, DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(DeadLetterPublisher.class);

    public static final String DEAD_LETTER_SUFFIX = ".DLT";
    /** The whole cause chain in one line: spring-kafka's exception header keeps only the outermost one. */
    public static final String REASON_HEADER = "fugou_dlt-reason";
    private static final Set<String> NOT_COPIED = Set.of(OriginalBytesDeserializer.ORIGINAL_KEY_HEADER,
            OriginalBytesDeserializer.ORIGINAL_VALUE_HEADER, SerializationUtils.KEY_DESERIALIZER_EXCEPTION_HEADER,
            SerializationUtils.VALUE_DESERIALIZER_EXCEPTION_HEADER);
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);

    private final ProducerFactory<byte[], byte[]> producers;
    private final String consumerGroup;
    private final Duration hold;
    private final MeterRegistry meters;

    /** Producers are created on the first dead letter (most services never see one) and closed with the factory. */
    public DeadLetterPublisher(ProducerFactory<byte[], byte[]> producers, String consumerGroup, Duration hold, MeterRegistry meters) {
        this.producers = producers;
        this.consumerGroup = consumerGroup;
        this.hold = hold;
        this.meters = meters;
    }

    @Override
    public void accept(ConsumerRecord<?, ?> record, Exception failure) {
        String reason = reason(failure);
        // The group of the listener that failed (the container sets it on its thread); a listener may name its own.
        String group = KafkaUtils.getConsumerGroupId() != null ? KafkaUtils.getConsumerGroupId() : consumerGroup;
        ProducerRecord<byte[], byte[]> deadLetter = deadLetterOf(record, failure, group);
        long deadline = System.nanoTime() + hold.toNanos();
        long wait = 200;
        for (int attempt = 1; ; attempt++) {
            try {
                // The factory's one shared producer: not closed here, the factory closes it with the context.
                Producer<byte[], byte[]> producer = producers.createProducer();
                producer.send(deadLetter).get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                meters.counter("fugou.kafka.dead.letters", "topic", record.topic()).increment();
                log.warn("Dead-lettered {}-{}@{} to {}: {}", record.topic(), record.partition(), record.offset(), deadLetter.topic(), reason);
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while dead-lettering " + record.topic() + "-" + record.partition() + "@" + record.offset(), e);
            } catch (ExecutionException | java.util.concurrent.TimeoutException | RuntimeException e) {
                meters.counter("fugou.kafka.dead.letter.publish.failures", "topic", record.topic()).increment();
                if (System.nanoTime() + wait * 1_000_000 > deadline) {
                    throw new IllegalStateException("cannot publish a dead letter to " + deadLetter.topic() + " after " + attempt
                            + " attempts; the record is kept and tried again", e);
                }
                log.warn("Cannot publish a dead letter of {}-{}@{} yet (attempt {}), retrying in {} ms: {}",
                        record.topic(), record.partition(), record.offset(), attempt, wait, e.toString());
                sleep(wait);
                wait = Math.min(wait * 2, 5_000);
            }
        }
    }

    @Override
    public void destroy() {
        if (producers instanceof DisposableBean disposable) {
            try {
                disposable.destroy();
            } catch (Exception e) {
                log.warn("Closing the dead-letter producer failed: {}", e.toString());
            }
        }
    }

    /** The bytes as the producer wrote them: kept at deserialization, or carried by a deserialization failure. */
    static byte[] originalBytes(ConsumerRecord<?, ?> record, boolean key) {
        Header kept = record.headers().lastHeader(key ? OriginalBytesDeserializer.ORIGINAL_KEY_HEADER : OriginalBytesDeserializer.ORIGINAL_VALUE_HEADER);
        if (kept != null) {
            return kept.value();
        }
        Object value = key ? record.key() : record.value();
        if (value == null) {
            return null;
        }
        if (value instanceof byte[] bytes) {
            return bytes;
        }
        if (value instanceof ByteBuffer buffer) {
            byte[] bytes = new byte[buffer.remaining()];
            buffer.duplicate().get(bytes);
            return bytes;
        }
        if (value instanceof String text) {
            return text.getBytes(StandardCharsets.UTF_8);
        }
        throw new IllegalStateException("the original " + (key ? "key" : "value") + " bytes of " + record.topic() + "-"
                + record.partition() + "@" + record.offset() + " were not kept: configure OriginalBytesDeserializer");
    }

    /**
     * The dead letter of a record: its original bytes and headers, where it came from, which group failed on it
     * and why. No partition (the key's hash chooses) and no timestamp: the broker stamps it, so the dead-letter
     * topic's retention counts from when it was parked, not from when the shop wrote it (kafka_dlt-original-timestamp).
     */
    public static ProducerRecord<byte[], byte[]> deadLetterOf(ConsumerRecord<?, ?> record, Exception failure, String group) {
        return new ProducerRecord<>(record.topic() + DEAD_LETTER_SUFFIX, null, null,
                originalBytes(record, true), originalBytes(record, false), headers(record, failure, reason(failure), group));
    }

    private static Headers headers(ConsumerRecord<?, ?> record, Exception failure, String reason, String group) {
        Headers headers = new RecordHeaders();
        for (Header header : record.headers()) {
            if (!NOT_COPIED.contains(header.key())) {
                headers.add(header);
            }
        }
        Throwable cause = rootFailure(failure);
        headers.add(KafkaHeaders.DLT_ORIGINAL_TOPIC, utf8(record.topic()));
        headers.add(KafkaHeaders.DLT_ORIGINAL_PARTITION, ByteBuffer.allocate(Integer.BYTES).putInt(record.partition()).array());
        headers.add(KafkaHeaders.DLT_ORIGINAL_OFFSET, ByteBuffer.allocate(Long.BYTES).putLong(record.offset()).array());
        headers.add(KafkaHeaders.DLT_ORIGINAL_TIMESTAMP, ByteBuffer.allocate(Long.BYTES).putLong(record.timestamp()).array());
        headers.add(KafkaHeaders.DLT_ORIGINAL_TIMESTAMP_TYPE, utf8(record.timestampType().toString()));
        if (group != null) {
            headers.add(KafkaHeaders.DLT_ORIGINAL_CONSUMER_GROUP, utf8(group));
        }
        headers.add(KafkaHeaders.DLT_EXCEPTION_FQCN, utf8(cause.getClass().getName()));
        headers.add(KafkaHeaders.DLT_EXCEPTION_MESSAGE, utf8(String.valueOf(cause.getMessage())));
        headers.add(REASON_HEADER, utf8(reason));
        return headers;
    }

    /** The failure itself, not the container's wrapper around it. */
    private static Throwable rootFailure(Exception failure) {
        return failure instanceof ListenerExecutionFailedException && failure.getCause() != null ? failure.getCause() : failure;
    }

    public static String reason(Throwable exception) {
        StringJoiner reason = new StringJoiner(": ");
        Set<Throwable> seen = new HashSet<>();
        for (Throwable cause = exception; cause != null && seen.add(cause); cause = cause.getCause()) {
            if (cause instanceof ListenerExecutionFailedException || cause.getMessage() == null
                    || cause instanceof DeserializationException && cause.getCause() != null) {
                continue;
            }
            reason.add(cause.getMessage());
        }
        return reason.toString();
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
