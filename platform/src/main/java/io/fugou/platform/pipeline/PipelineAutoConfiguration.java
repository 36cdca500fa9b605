package io.fugou.platform.pipeline;

import io.fugou.events.Topic;
import io.fugou.events.Topics;
import io.fugou.platform.kafka.ConsumerWaits;
import io.fugou.platform.kafka.KafkaPlatformAutoConfiguration;
import io.fugou.platform.kafka.KafkaRetryProperties;
import io.fugou.platform.kafka.TopicProperties;
import io.fugou.platform.kafka.TopicProvisioner;
import io.fugou.serde.avro.KafkaAvroSerializer;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTransactionsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.DefaultTransactionIdSuffixStrategy;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.event.ListenerContainerIdleEvent;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.DefaultAfterRollbackProcessor;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.kafka.transaction.KafkaTransactionManager;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.reactive.TransactionalOperator;

/**
 * Runs every {@link EventPipeline} bean: a transactional batch listener container per pipeline, whose
 * Kafka transaction carries the batch's events, dead letters and offsets (KIP-447, read_committed
 * consumers), after the batch's database transaction committed. The Kafka producer and transaction
 * manager are the pipelines' own, not beans: a service's {@code @Transactional} methods keep using its
 * database's transaction manager, and its other listeners stay as they are.
 */
@AutoConfiguration(after = {KafkaAutoConfiguration.class, KafkaPlatformAutoConfiguration.class})
@ConditionalOnBean(EventPipeline.class)
@EnableConfigurationProperties(PipelineProperties.class)
public class PipelineAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    MemberSequences memberSequences(DatabaseClient db) {
        return new MemberSequences(db);
    }

    /** Where HTTP requests and scheduled jobs put their events; relayed by the pipeline that says {@code relaysOutbox()}. */
    @Bean
    @ConditionalOnMissingBean
    Outbox outbox(DatabaseClient db, ReactiveTransactionManager databaseTransactions, ObjectProvider<PipelineKafka> kafka,
                  TopicProperties topics, ObjectProvider<EventPipeline<?>> pipelines, KafkaProperties kafkaProperties) {
        // Resolved at first use, so a pipeline's handlers may take the outbox (the relaying pipeline is one of them).
        return new Outbox(db, databaseTransactions, () -> kafka.getObject().valueSerializer(), topics.partitions(), () -> {
            // The relaying pipeline's consumer group and topic: each row records how far its pipeline had applied when it committed.
            EventPipeline<?> relay = pipelines.orderedStream().filter(EventPipeline::relaysOutbox).findFirst().orElse(null);
            return relay == null ? new Outbox.Relay(null, null) : new Outbox.Relay(
                    relay.group() != null ? relay.group() : kafkaProperties.getConsumer().getGroupId(), relay.topic().name());
        });
    }

    @Bean
    PipelineKafka pipelineKafka(KafkaProperties kafkaProperties, PipelineProperties properties, List<EventPipeline<?>> pipelines) {
        return new PipelineKafka(kafkaProperties, properties, pipelines.stream().mapToInt(pipeline -> properties.consumersOf(pipeline.name())).sum());
    }

    @Bean
    PipelineContainers pipelineContainers(List<EventPipeline<?>> pipelines, PipelineKafka kafka, ConsumerFactory<Object, Object> consumers,
                                          ReactiveTransactionManager databaseTransactions, KafkaProperties kafkaProperties,
                                          PipelineProperties properties, KafkaRetryProperties retry, ConsumerWaits waits,
                                          ObjectProvider<BatchObserver> observer, MeterRegistry meters, Outbox outbox, DatabaseClient db,
                                          KafkaAdmin kafkaAdmin, TopicProperties topics) {
        checkNamesAreUnique(pipelines);
        checkConsumersNamePipelines(pipelines, properties);
        checkOneRelay(pipelines);
        TransactionalOperator databaseTransaction = TransactionalOperator.create(databaseTransactions);
        BatchObserver batchObserver = observer.getIfAvailable();
        Runnable beforeStart = () -> {
            createPositionTopics(pipelines, kafkaProperties, kafkaAdmin, topics);
            kafka.warmUp(kafkaAdmin.getConfigurationProperties());
        };
        return new PipelineContainers(pipelines, kafkaProperties.getListener().isAutoStartup(), beforeStart, pipeline -> {
            String group = pipeline.group() != null ? pipeline.group() : kafkaProperties.getConsumer().getGroupId();
            ContainerProperties container = new ContainerProperties(pipeline.topic().name());
            container.setGroupId(group);
            container.setClientId(pipeline.name());
            container.setKafkaAwareTransactionManager(kafka.transactionManager());
            container.setConsumerRebalanceListener(waits);
            Properties consumer = new Properties();
            consumer.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(properties.maxBatch()));
            consumer.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            consumer.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, Long.toString(properties.fetchWait().toMillis()));
            consumer.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, Long.toString(properties.fetchMinBytes().toBytes()));
            // Static membership (spring-kafka suffixes it per consumer: -0, -1, ...).
            consumer.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, group + "-" + pipeline.name() + "-" + properties.instanceId());
            // A dead instance's partitions (and outbox shares) move to the others this soon.
            consumer.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, Integer.toString((int) properties.sessionTimeout().toMillis()));
            container.setKafkaConsumerProperties(consumer);
            OutboxRelay relay = null;
            if (pipeline.relaysOutbox()) {
                Map<String, Object> readerConfig = new LinkedHashMap<>(kafkaProperties.buildConsumerProperties());
                relay = new OutboxRelay(outbox, db, pipeline.name(), group, pipeline.topic().name(), readerConfig, properties.databaseTimeout(),
                        properties.transactionTimeout(), batchObserver, meters);
                // Idle consumers look at the outbox this often: the delay of an HTTP change's event at low load.
                container.setPollTimeout(properties.outboxPoll().toMillis());
                container.setIdleEventInterval(properties.outboxPoll().toMillis());
                container.setIdleBeforeDataMultiplier(1.0);
            }
            container.setMessageListener(new PipelineListener(pipeline, databaseTransaction, kafka.template(), kafka.valueSerializer(), waits,
                    batchObserver, properties.databaseTimeout(), retry.attempts(), meters, relay, outbox));
            ConcurrentMessageListenerContainer<Object, Object> listener = new ConcurrentMessageListenerContainer<>(consumers, container);
            if (relay != null) {
                OutboxRelay idleRelay = relay;
                // Idle events come on the consumer's own thread, with its consumer.
                listener.setApplicationEventPublisher(event -> {
                    // A paused pipeline publishes nothing, its outbox included.
                    if (event instanceof ListenerContainerIdleEvent idle && !idle.isPaused()) {
                        idleRelay.idle(idle.getConsumer(), kafka.template());
                    }
                });
            }
            listener.setConcurrency(properties.consumersOf(pipeline.name()));
            listener.setBeanName("pipeline-" + pipeline.name());
            // Only failures that must wait reach here (the listener dead-letters the rest itself): seek back and
            // wait, capped exponentially, without limit. Never recovers a batch: that would skip good records.
            OutboxRelay rollbackRelay = relay;
            listener.setAfterRollbackProcessor(new DefaultAfterRollbackProcessor<>((record, failure) -> {
                throw new IllegalStateException("a pipeline batch is never skipped", failure);
            }, KafkaPlatformAutoConfiguration.transientBackOff(retry)) {
                @Override
                public void processBatch(ConsumerRecords<Object, Object> records, List<ConsumerRecord<Object, Object>> recordList,
                                         Consumer<Object, Object> consumer, MessageListenerContainer container, Exception exception,
                                         boolean recoverable, ContainerProperties.EOSMode eosMode) {
                    if (rollbackRelay != null) {
                        rollbackRelay.rolledBack(consumer);
                    }
                    super.processBatch(records, recordList, consumer, container, exception, recoverable, eosMode);
                }
            });
            return listener;
        });
    }

    /** The pipelines' topics that are not platform contracts (a service's own, or a test's) are provisioned too. */
    @Bean
    TopicProvisioner pipelineTopicProvisioner(List<EventPipeline<?>> pipelines, KafkaAdmin kafkaAdmin, TopicProperties topicProperties) {
        Set<Topic<?>> own = new LinkedHashSet<>();
        for (EventPipeline<?> pipeline : pipelines) {
            own.add(pipeline.topic());
            own.addAll(pipeline.outputs());
        }
        own.removeAll(Topics.ALL);
        return new TopicProvisioner(kafkaAdmin, topicProperties, new ArrayList<>(own));
    }

    /** The compacted topic of the outbox positions, partitioned like the relaying pipeline's input (one partition per share). */
    private static void createPositionTopics(List<EventPipeline<?>> pipelines, KafkaProperties kafkaProperties, KafkaAdmin kafkaAdmin,
                                             TopicProperties topics) {
        if (!topics.provision()) {
            return;
        }
        for (EventPipeline<?> pipeline : pipelines) {
            if (pipeline.relaysOutbox()) {
                String group = pipeline.group() != null ? pipeline.group() : kafkaProperties.getConsumer().getGroupId();
                Optional<Short> replicas = topics.replicationFactor() > 0 ? Optional.of(topics.replicationFactor()) : Optional.empty();
                kafkaAdmin.createOrModifyTopics(new NewTopic(OutboxRelay.positionTopic(group), Optional.of(topics.partitions()), replicas)
                        .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                                TopicConfig.SEGMENT_MS_CONFIG, Long.toString(Duration.ofHours(1).toMillis()),
                                TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, "0.1")));
            }
        }
    }

    private static void checkOneRelay(List<EventPipeline<?>> pipelines) {
        List<String> relaying = pipelines.stream().filter(EventPipeline::relaysOutbox).map(EventPipeline::name).toList();
        if (relaying.size() > 1) {
            throw new IllegalStateException("more than one pipeline relays the outbox: one per service (" + relaying + ")");
        }
    }

    /** A misspelt pipeline in fugou.pipeline.consumers would be silently ignored: refused instead. */
    static void checkConsumersNamePipelines(List<EventPipeline<?>> pipelines, PipelineProperties properties) {
        Set<String> names = new java.util.HashSet<>();
        pipelines.forEach(pipeline -> names.add(PipelineProperties.comparable(pipeline.name())));
        Set<String> unknown = new java.util.TreeSet<>(properties.consumers().keySet());
        unknown.removeIf(name -> names.contains(PipelineProperties.comparable(name)));
        if (!unknown.isEmpty()) {
            throw new IllegalStateException("fugou.pipeline.consumers names no pipeline of this service: " + unknown + "; its pipelines: "
                    + pipelines.stream().map(EventPipeline::name).toList());
        }
        properties.consumers().forEach((pipeline, count) -> {
            if (count < 1) {
                throw new IllegalStateException("fugou.pipeline.consumers." + pipeline + " must be at least 1, not " + count);
            }
        });
    }

    private static void checkNamesAreUnique(List<EventPipeline<?>> pipelines) {
        Set<String> names = new LinkedHashSet<>();
        for (EventPipeline<?> pipeline : pipelines) {
            if (!names.add(pipeline.name())) {
                throw new IllegalStateException("two pipelines are named '" + pipeline.name() + "'");
            }
        }
    }

    /**
     * The pipelines' transactional producers (bytes in, bytes out: events are serialized here, dead letters
     * are kept as they came).
     *
     * <p>A pool of three producers per consumer, taken in turn: a producer that starts a transaction while
     * its previous one is still completing on the broker is told to retry, and the Kafka client then waits
     * a fixed 20 ms (KAFKA-5482), which would add 20 ms to every batch at low load. In turn, each producer's
     * last transaction has long completed when it is used again. The pool is created before the consumers
     * start, with the same transactional ids as the previous run of this instance, so every transaction the
     * previous run left open is fenced and aborted at once rather than blocking readers until it times out.
     * A previous run with more consumers had more producers: their open transactions are found and fenced too.
     */
    static final class PipelineKafka implements DisposableBean {
        private static final Logger log = LoggerFactory.getLogger(PipelineKafka.class);
        private static final int PRODUCERS_PER_CONSUMER = 3;
        private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);
        private final int poolSize;
        private final String transactionalIdPrefix;
        private final DefaultKafkaProducerFactory<byte[], byte[]> producers;
        private final KafkaTemplate<byte[], byte[]> template;
        private final KafkaTransactionManager<byte[], byte[]> transactionManager;
        private final KafkaAvroSerializer valueSerializer = new KafkaAvroSerializer();

        PipelineKafka(KafkaProperties kafkaProperties, PipelineProperties properties, int consumers) {
            this.poolSize = Math.max(1, consumers) * PRODUCERS_PER_CONSUMER;
            this.transactionalIdPrefix = properties.transactionalIdPrefix();
            Map<String, Object> config = new LinkedHashMap<>(kafkaProperties.buildProducerProperties());
            config.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
            config.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) properties.transactionTimeout().toMillis());
            config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
            valueSerializer.configure(config, false);
            producers = new DefaultKafkaProducerFactory<>(config, new ByteArraySerializer(), new ByteArraySerializer());
            producers.setTransactionIdPrefix(properties.transactionalIdPrefix());
            producers.setTransactionIdSuffixStrategy(new DefaultTransactionIdSuffixStrategy(poolSize));
            template = new KafkaTemplate<>(producers);
            transactionManager = new KafkaTransactionManager<>(producers);
        }

        /**
         * Fences the previous runs' open transactions (those of the producers this pool no longer has, then, by creating
         * them, the pool's own), then returns the pool's producers to it in order.
         */
        void warmUp(Map<String, Object> adminConfig) {
            fenceProducersBeyondThePool(adminConfig);
            List<Producer<byte[], byte[]>> pool = new ArrayList<>();
            for (int i = 0; i < poolSize; i++) {
                pool.add(producers.createProducer());
            }
            pool.forEach(Producer::close);
        }

        /**
         * The transactions this instance left open with producers the pool no longer has (it ran more consumers): their
         * ids are never created again, so without this they would block read_committed readers of their partitions until
         * the broker timed them out. A failure only leaves them to that timeout, so it is logged, not thrown.
         */
        private void fenceProducersBeyondThePool(Map<String, Object> adminConfig) {
            Admin admin = Admin.create(adminConfig);
            try {
                List<String> beyondThePool = admin.listTransactions(new ListTransactionsOptions().filterStates(List.of(TransactionState.ONGOING)))
                        .all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).stream()
                        .map(TransactionListing::transactionalId).filter(this::beyondThePool).sorted().toList();
                if (!beyondThePool.isEmpty()) {
                    log.info("Fencing the open transactions of {} producers a previous run had and this one has not: {}", beyondThePool.size(),
                            beyondThePool);
                    admin.fenceProducers(beyondThePool).all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while fencing the previous run's producers", e);
            } catch (ExecutionException | TimeoutException | KafkaException e) {
                log.warn("Could not fence the open transactions of producers a previous run had beyond this pool of {}; they block readers "
                        + "until the broker times them out", poolSize, e);
            } finally {
                admin.close(Duration.ZERO); // pending calls end now: the timeouts above bound the start, not the client's own (a minute)
            }
        }

        /** This instance's own ids only ({@code prefix + n}): another instance's prefix may extend this one ({@code -1-} and {@code -1-2-}). */
        boolean beyondThePool(String transactionalId) {
            if (!transactionalId.startsWith(transactionalIdPrefix)) {
                return false;
            }
            String suffix = transactionalId.substring(transactionalIdPrefix.length());
            return suffix.matches("[0-9]{1,9}") && Integer.parseInt(suffix) >= poolSize;
        }

        KafkaTemplate<byte[], byte[]> template() {
            return template;
        }

        KafkaTransactionManager<byte[], byte[]> transactionManager() {
            return transactionManager;
        }

        @SuppressWarnings({"unchecked", "rawtypes"})
        org.apache.kafka.common.serialization.Serializer<Object> valueSerializer() {
            return (org.apache.kafka.common.serialization.Serializer) valueSerializer;
        }

        @Override
        public void destroy() {
            producers.destroy();
            valueSerializer.close();
        }
    }
}
