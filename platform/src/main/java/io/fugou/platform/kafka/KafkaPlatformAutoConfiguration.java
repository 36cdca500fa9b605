package io.fugou.platform.kafka;

import io.fugou.events.Topics;
import io.fugou.serde.avro.AvroSerdeConfig;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaConsumerFactoryCustomizer;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.listener.ExceptionClassifier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.listener.RetryListener;
import org.springframework.util.backoff.BackOff;
import org.springframework.util.backoff.BackOffExecution;
import org.springframework.util.backoff.ExponentialBackOff;
import org.springframework.util.backoff.FixedBackOff;

/**
 * How every listener treats failing records, in three classes:
 * <ul>
 * <li>transient (the schema registry or the database unreachable, 5xx, timeouts;
 * {@link TransientFailures}): retried without limit with a capped exponential wait, holding the
 * partition so per-member order survives the outage; shown in health ({@link ConsumerWaits});</li>
 * <li>hopeless (bytes that are not our wire format, a schema id the registry confirms it does not
 * know, a record that breaks a rule: {@link InvalidEventException}, a key that is not its
 * envelope's member): dead-lettered at once;</li>
 * <li>anything else (a bug): {@code fugou.kafka.retry.attempts} retries, then dead-lettered.</li>
 * </ul>
 * Dead letters keep the original bytes ({@link OriginalBytesDeserializer}, {@link DeadLetterPublisher}).
 * Also: topics provisioned from their contracts ({@link TopicProvisioner}), unknown event types
 * skipped and keys checked ({@link PlatformRecordInterceptor}), and each topic read into the class
 * its contract names.
 */
@AutoConfiguration(before = KafkaAutoConfiguration.class)
@EnableConfigurationProperties({KafkaRetryProperties.class, TopicProperties.class})
public class KafkaPlatformAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "kafkaConsumersHealthIndicator")
    ConsumerWaits kafkaConsumersHealthIndicator(MeterRegistry meters, ObjectProvider<Clock> clock) {
        return new ConsumerWaits(meters, clock.getIfAvailable(Clock::systemUTC));
    }

    @Bean
    @ConditionalOnMissingBean(CommonErrorHandler.class)
    DefaultErrorHandler kafkaErrorHandler(KafkaProperties kafkaProperties, KafkaRetryProperties retry, ConsumerWaits waits,
                                          DeadLetterPublisher deadLetters) {
        BackOff waitOut = new WhileTransient(transientBackOff(retry));
        BackOff none = new FixedBackOff(0, 0);
        BackOff fewRetries = new FixedBackOff(retry.interval().toMillis(), retry.attempts());
        // The default back-off never stops by itself: with one that does (attempts=0), spring-kafka would
        // skip the back-off function below and dead-letter even a registry outage.
        DefaultErrorHandler handler = new DefaultErrorHandler(deadLetters, waitOut);
        // Every failure is classified by the back-off chosen below, not by spring-kafka's "not retryable" list,
        // which dead-letters every deserialization failure, even one caused by a registry outage.
        handler.setClassifications(Map.of(), true);
        handler.setBackOffFunction((record, failure) -> TransientFailures.isTransient(failure) ? waitOut
                : isHopeless(failure) ? none
                : fewRetries);
        handler.setRetryListeners(waits, WhileTransient.LATEST_FAILURE);
        return handler;
    }

    @Bean
    @ConditionalOnMissingBean
    PlatformRecordInterceptor platformRecordInterceptor(MeterRegistry meters, ConsumerWaits waits) {
        return new PlatformRecordInterceptor(meters, waits);
    }

    @Bean
    @ConditionalOnMissingBean
    TopicProvisioner topicProvisioner(KafkaAdmin kafkaAdmin, TopicProperties properties) {
        return new TopicProvisioner(kafkaAdmin, properties);
    }

    /** Each topic is read into the class its contract names, whatever namespace the producer's schema has. */
    @Bean
    DefaultKafkaConsumerFactoryCustomizer readerTypesFromTopicContracts() {
        String readerTypes = Topics.ALL.stream()
                .map(topic -> topic.name() + "=" + topic.valueType().getName())
                .collect(Collectors.joining(","));
        return factory -> factory.updateConfigs(Map.of(AvroSerdeConfig.READER_TYPES_BY_TOPIC, readerTypes));
    }

    /**
     * Waits out a transient failure, and stops as soon as the same record fails for a reason that is
     * not transient (a registry that answered 503 now says 404): spring-kafka keeps the back-off it
     * chose first for as long as the exception's class stays the same, and every read failure is a
     * DeserializationException.
     */
    static final class WhileTransient implements BackOff {

        /** The failure being backed off from, on the consumer's thread; told before the next back-off is asked for. */
        static final LatestFailure LATEST_FAILURE = new LatestFailure();

        private final BackOff delegate;

        WhileTransient(BackOff delegate) {
            this.delegate = delegate;
        }

        @Override
        public BackOffExecution start() {
            BackOffExecution execution = delegate.start();
            return () -> {
                Exception latest = LATEST_FAILURE.get();
                return latest == null || TransientFailures.isTransient(latest) ? execution.nextBackOff() : BackOffExecution.STOP;
            };
        }
    }

    static final class LatestFailure implements RetryListener {
        private final ThreadLocal<Exception> latest = new ThreadLocal<>();

        @Override
        public void failedDelivery(ConsumerRecord<?, ?> record, Exception failure, int deliveryAttempt) {
            latest.set(failure);
        }

        Exception get() {
            return latest.get();
        }
    }

    public static BackOff transientBackOff(KafkaRetryProperties retry) {
        ExponentialBackOff backOff = new ExponentialBackOff(retry.transientInitialWait().toMillis(), 2.0);
        backOff.setMaxInterval(retry.transientMaxWait().toMillis());
        backOff.setMaxElapsedTime(Long.MAX_VALUE);
        return backOff;
    }

    /** Failures retrying cannot fix: spring-kafka's own list, and ours. */
    private static final List<Class<? extends Throwable>> HOPELESS = java.util.stream.Stream.concat(
            ExceptionClassifier.defaultFatalExceptionsList().stream(), java.util.stream.Stream.of(InvalidEventException.class)).toList();

    public static boolean isHopeless(Throwable failure) {
        Set<Throwable> seen = new HashSet<>();
        for (Throwable cause = failure; cause != null && seen.add(cause); cause = cause.getCause()) {
            for (Class<? extends Throwable> type : HOPELESS) {
                if (type.isInstance(cause)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Bytes in, bytes out: dead letters are published exactly as they arrived, by one producer closed with the context. */
    @Bean
    @ConditionalOnMissingBean
    DeadLetterPublisher deadLetterPublisher(KafkaProperties kafkaProperties, KafkaRetryProperties retry, MeterRegistry meters) {
        Map<String, Object> config = new LinkedHashMap<>(kafkaProperties.buildProducerProperties());
        config.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "dead-letters-" + kafkaProperties.getConsumer().getGroupId());
        return new DeadLetterPublisher(new DefaultKafkaProducerFactory<>(config, new ByteArraySerializer(), new ByteArraySerializer()),
                kafkaProperties.getConsumer().getGroupId(), retry.deadLetterHold(), meters);
    }
}
