package io.fugou.platform.kafka;

import io.fugou.serde.avro.KafkaAvroSerializer;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.StringJoiner;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.springframework.kafka.listener.ListenerExecutionFailedException;
import java.util.Map;
import org.apache.avro.generic.GenericContainer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.support.serializer.DelegatingByTypeSerializer;
import org.springframework.util.backoff.FixedBackOff;

/**
 * Every listener's error handling: a failing record is retried a few times, then published to
 * {@code <topic>.DLT} with the reason in headers ({@code kafka_dlt-exception-message}, original
 * topic, partition, offset), and the consumer goes on. Records that could not even be read skip the
 * retries and are dead-lettered with their original bytes; so do records that break a rule
 * ({@link InvalidEventException}), since retrying cannot fix them.
 */
@AutoConfiguration(before = KafkaAutoConfiguration.class)
@EnableConfigurationProperties(KafkaRetryProperties.class)
public class KafkaDeadLetterAutoConfiguration {

    public static final String DEAD_LETTER_SUFFIX = ".DLT";
    /** The whole cause chain in one line: spring-kafka's own message header keeps only the outermost one. */
    public static final String REASON_HEADER = "fugou_dlt-reason";

    @Bean
    @ConditionalOnMissingBean(CommonErrorHandler.class)
    DefaultErrorHandler kafkaErrorHandler(KafkaProperties kafkaProperties, KafkaRetryProperties retry) {
        KafkaTemplate<Object, Object> deadLetters = deadLetterTemplate(kafkaProperties);
        DeadLetterPublishingRecoverer recoverer = new DeadLetterPublishingRecoverer(deadLetters,
                (record, exception) -> new TopicPartition(record.topic() + DEAD_LETTER_SUFFIX, record.partition()));
        recoverer.setHeadersFunction((record, exception) -> new RecordHeaders(List.of(
                new RecordHeader(REASON_HEADER, reason(exception).getBytes(StandardCharsets.UTF_8)))));
        DefaultErrorHandler handler = new DefaultErrorHandler(recoverer, new FixedBackOff(retry.interval().toMillis(), retry.attempts()));
        handler.addNotRetryableExceptions(InvalidEventException.class);
        return handler;
    }

    static String reason(Throwable exception) {
        StringJoiner reason = new StringJoiner(": ");
        Set<Throwable> seen = new HashSet<>();
        for (Throwable cause = exception; cause != null && seen.add(cause); cause = cause.getCause()) {
            if (cause instanceof ListenerExecutionFailedException || cause.getMessage() == null) {
                continue;
            }
            reason.add(cause.getMessage());
        }
        return reason.toString();
    }

    /**
     * Dead letters carry either the original bytes (the record could not be deserialized) or the
     * Avro record (processing failed), so the serializer is chosen by the value's type.
     */
    private static KafkaTemplate<Object, Object> deadLetterTemplate(KafkaProperties kafkaProperties) {
        Map<String, Object> producer = new LinkedHashMap<>(kafkaProperties.buildProducerProperties());
        producer.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
        KafkaAvroSerializer avro = new KafkaAvroSerializer();
        avro.configure(producer, false);
        Map<Class<?>, Serializer<?>> keys = new LinkedHashMap<>();
        keys.put(byte[].class, new ByteArraySerializer());
        keys.put(String.class, new StringSerializer());
        Map<Class<?>, Serializer<?>> values = new LinkedHashMap<>();
        values.put(byte[].class, new ByteArraySerializer());
        values.put(GenericContainer.class, avro);
        values.put(String.class, new StringSerializer());
        DefaultKafkaProducerFactory<Object, Object> factory = new DefaultKafkaProducerFactory<>(producer,
                new DelegatingByTypeSerializer(keys, true), new DelegatingByTypeSerializer(values, true));
        return new KafkaTemplate<>(factory);
    }
}
