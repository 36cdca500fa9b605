package io.fugou.platform.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.core.ProducerFactory;

/** Publishing a dead letter: the bytes as they arrived, keyed partitioning, and no drop when the publish fails. */
class DeadLetterPublisherTest {

    private static final byte[] KEY = "merchant-a:buyer-1".getBytes(StandardCharsets.UTF_8);
    private static final byte[] VALUE = {0, 0, 0, 0, 7, 42, 43};

    /** Kafka's own in-memory producer, failing its first {@code failures} sends as an unreachable broker would. */
    private static final class FlakyProducer extends MockProducer<byte[], byte[]> {
        private final AtomicInteger failures;

        FlakyProducer(int failures) {
            super(true, null, new ByteArraySerializer(), new ByteArraySerializer());
            this.failures = new AtomicInteger(failures);
        }

        @Override
        public synchronized Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record) {
            if (failures.getAndDecrement() > 0) {
                throw new TimeoutException("Topic commerce.orders.v1.DLT not present in metadata after 60000 ms.");
            }
            return super.send(record);
        }
    }

    /** A record as the consumer holds it after reading: the deserialized value, the original bytes in headers. */
    private static ConsumerRecord<Object, Object> readRecord() {
        ConsumerRecord<Object, Object> record = new ConsumerRecord<>("commerce.orders.v1", 3, 1234L, "merchant-a:buyer-1", "a deserialized value");
        record.headers().add(OriginalBytesDeserializer.ORIGINAL_KEY_HEADER, KEY);
        record.headers().add(OriginalBytesDeserializer.ORIGINAL_VALUE_HEADER, VALUE);
        record.headers().add("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01".getBytes(StandardCharsets.UTF_8));
        return record;
    }

    private static DeadLetterPublisher publisher(FlakyProducer producer, Duration hold) {
        ProducerFactory<byte[], byte[]> producers = () -> producer;
        return new DeadLetterPublisher(producers, "loyalty-service", hold, new SimpleMeterRegistry());
    }

    @Test
    void shouldPublishTheOriginalBytesToBePartitionedByTheirKey() {
        FlakyProducer producer = new FlakyProducer(0);

        publisher(producer, Duration.ofSeconds(5)).accept(readRecord(), new InvalidEventException("currency 'YUAN' is not ISO-4217", null));

        ProducerRecord<byte[], byte[]> deadLetter = producer.history().get(0);
        assertThat(deadLetter.topic()).isEqualTo("commerce.orders.v1.DLT");
        assertThat(deadLetter.partition()).as("left to the key's hash, not the original partition number").isNull();
        assertThat(deadLetter.key()).isEqualTo(KEY);
        assertThat(deadLetter.value()).isEqualTo(VALUE);
        assertThat(new String(deadLetter.headers().lastHeader(DeadLetterPublisher.REASON_HEADER).value(), StandardCharsets.UTF_8))
                .isEqualTo("currency 'YUAN' is not ISO-4217");
        assertThat(deadLetter.headers().lastHeader("traceparent")).isNotNull();
        assertThat(deadLetter.headers().lastHeader(OriginalBytesDeserializer.ORIGINAL_VALUE_HEADER)).isNull();
    }

    @Test
    void shouldRetryAFailedPublishInsteadOfDroppingTheDeadLetter() {
        FlakyProducer producer = new FlakyProducer(2);

        publisher(producer, Duration.ofSeconds(10)).accept(readRecord(), new InvalidEventException("bad", null));

        assertThat(producer.history()).hasSize(1);
        assertThat(producer.history().get(0).value()).isEqualTo(VALUE);
    }

    @Test
    void shouldHandTheRecordBackWhenTheDeadLetterTopicStaysUnreachable() {
        FlakyProducer producer = new FlakyProducer(Integer.MAX_VALUE);

        assertThatThrownBy(() -> publisher(producer, Duration.ofMillis(700)).accept(readRecord(), new InvalidEventException("bad", null)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("the record is kept and tried again");
        assertThat(producer.history()).isEmpty();
    }
}
