package io.fugou.analytics.streams;

import io.fugou.analytics.repurchase.RepurchaseTopology;
import io.fugou.analytics.repurchase.RepurchaseTopology.AnalyticsSerdes;
import io.fugou.analytics.state.FigureChanges;
import io.fugou.analytics.state.MemberHistory;
import io.fugou.analytics.state.MerchantNorms;
import io.fugou.events.lifecycle.LifecycleEvent;
import io.fugou.events.members.MemberEvent;
import io.fugou.events.campaigns.CampaignEvent;
import io.fugou.events.insights.MerchantInsights;
import io.fugou.events.orders.OrderEvent;
import io.fugou.events.points.PointsEvent;
import io.fugou.serde.avro.AvroSerdeConfig;
import io.fugou.serde.avro.SchemaRegistryClient;
import io.fugou.serde.avro.SpecificAvroSerde;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.annotation.EnableKafkaStreams;
import org.springframework.kafka.annotation.KafkaStreamsDefaultConfiguration;
import org.springframework.kafka.config.KafkaStreamsConfiguration;
import org.springframework.kafka.config.StreamsBuilderFactoryBeanConfigurer;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.CleanupConfig;

/**
 * analytics-service's Kafka Streams application: exactly-once (v2), its state under {@code fugou.analytics.state-dir}, and
 * this instance's address for interactive queries ({@code application.server}, set by {@link AdvertisedAddress}), so any
 * instance can answer for a store partition another one holds.
 */
@Configuration(proxyBeanMethods = false)
@EnableKafkaStreams
@EnableConfigurationProperties(AnalyticsProperties.class)
public class AnalyticsStreamsConfiguration {

    @Bean(name = KafkaStreamsDefaultConfiguration.DEFAULT_STREAMS_CONFIG_BEAN_NAME)
    KafkaStreamsConfiguration analyticsStreamsConfig(KafkaProperties kafka, AnalyticsProperties analytics,
                                                     @Value("${fugou.pipeline.session-timeout}") Duration sessionTimeout) {
        Map<String, Object> config = new HashMap<>(kafka.buildStreamsProperties());
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, analytics.applicationId());
        config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        config.put(StreamsConfig.STATE_DIR_CONFIG, analytics.stateDir());
        // One thread per processor: deploy/bench analytics on 2 cores, 9,549 orders/s and a 114 s replay with two against 8,432
        // and 130 s with one (docs/performance.md).
        config.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, analytics.threads());
        if (analytics.rocksdbMemory() != null) {
            config.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDbMemory.class);
            config.put(BoundedRocksDbMemory.TOTAL_BYTES, analytics.rocksdbMemory().toBytes());
        }
        config.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetters.class);
        config.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetters.class);
        // A dead instance's partitions move to the others this soon (the pipelines' setting).
        config.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), (int) sessionTimeout.toMillis());
        return new KafkaStreamsConfiguration(config);
    }

    /**
     * A stopped instance leaves the group at once, so its partitions move without waiting for its session to time out. After
     * a replay's reset ({@code deploy/replay-analytics}), the instance starting first wipes its local state, to be rebuilt.
     */
    @Bean
    StreamsBuilderFactoryBeanConfigurer leaveGroupOnClose(AnalyticsProperties analytics) {
        return factory -> {
            factory.setLeaveGroupOnClose(true);
            if (analytics.cleanUpOnStart()) {
                factory.setCleanupConfig(new CleanupConfig(true, false));
            }
        };
    }

    /** Streams creates its internal topics but not the ones it reads: the merchants' norms, compacted (the latest per merchant). */
    @Bean
    NewTopic merchantNormsTopic(@Value("${fugou.kafka.topics.partitions}") int partitions) {
        return TopicBuilder.name(RepurchaseTopology.NORMS_TOPIC).partitions(partitions).compact().build();
    }

    @Bean
    AnalyticsSerdes analyticsSerdes(KafkaProperties kafka) {
        // One registry client for all of them: one HTTP client (and its threads) and one schema cache, not nine.
        SchemaRegistryClient registry = new SchemaRegistryClient(AvroSerdeConfig.from(kafka.getProperties()));
        return new AnalyticsSerdes(serde(kafka, registry, OrderEvent.class), serde(kafka, registry, MemberEvent.class),
                serde(kafka, registry, PointsEvent.class), serde(kafka, registry, CampaignEvent.class), serde(kafka, registry, LifecycleEvent.class),
                serde(kafka, registry, MemberHistory.class), serde(kafka, registry, FigureChanges.class), serde(kafka, registry, MerchantNorms.class),
                serde(kafka, registry, MerchantInsights.class));
    }

    /** The topologies, on the StreamsBuilder the factory bean starts. */
    @Bean
    RepurchaseTopologyBuilt repurchaseTopology(StreamsBuilder builder, AnalyticsSerdes serdes, AnalyticsProperties analytics) {
        RepurchaseTopology.build(builder, serdes, new RepurchaseTopology.Settings(analytics.zone(), analytics.windowCheck(),
                analytics.defaultInterval(), analytics.attribution()));
        return new RepurchaseTopologyBuilt();
    }

    /** Marks the topology as built (a bean, so it is built before the streams start). */
    record RepurchaseTopologyBuilt() {
    }

    /** Confluent-wire Avro against the registry, read into {@code type} whatever namespace the writer used. */
    private static <T extends SpecificRecord> SpecificAvroSerde<T> serde(KafkaProperties kafka, SchemaRegistryClient registry, Class<T> type) {
        Map<String, Object> config = new HashMap<>(kafka.getProperties());
        config.put(AvroSerdeConfig.SPECIFIC_AVRO_VALUE_TYPE, type);
        config.put(AvroSerdeConfig.TRUSTED_PACKAGES, "io.fugou.events,io.fugou.analytics.state");
        SpecificAvroSerde<T> serde = new SpecificAvroSerde<>(registry);
        serde.configure(config, false);
        return serde;
    }
}
