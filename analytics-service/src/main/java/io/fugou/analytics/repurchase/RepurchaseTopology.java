package io.fugou.analytics.repurchase;

import io.fugou.analytics.state.FigureChanges;
import io.fugou.analytics.state.MemberHistory;
import io.fugou.analytics.state.MerchantNorms;
import io.fugou.events.Topics;
import io.fugou.events.lifecycle.LifecycleEvent;
import io.fugou.events.members.MemberEvent;
import io.fugou.events.campaigns.CampaignEvent;
import io.fugou.events.insights.MerchantInsights;
import io.fugou.events.orders.OrderEvent;
import io.fugou.events.points.PointsEvent;
import java.time.Duration;
import java.time.ZoneId;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * Repurchase figures: each buyer's orders (partitioned as orders are, by member), how their part in the merchant's figures
 * moved, repartitioned by merchant and summed into the merchant's figures, and each buyer's lifecycle stage and predicted next
 * order to {@code fugou.lifecycle.v1}, and each merchant's categories bought next to {@code fugou.merchant-insights.v1}. The merchants' norms (typical interval, RFM cuts) go round through a compacted topic into a
 * global store, since a merchant's figures and its buyers live in different partitions.
 */
public final class RepurchaseTopology {

    /** The serdes the topology reads and keeps with: the registry's in a service, plain Avro in a TopologyTestDriver test. */
    public record AnalyticsSerdes(Serde<OrderEvent> orders, Serde<MemberEvent> members, Serde<PointsEvent> points, Serde<CampaignEvent> campaigns,
                                  Serde<LifecycleEvent> lifecycle, Serde<MemberHistory> histories, Serde<FigureChanges> changes,
                                  Serde<MerchantNorms> norms, Serde<MerchantInsights> insights) {
    }

    /**
     * @param zone            the zone calendar months, days and hours are counted in
     * @param checkEvery      how often buyers whose figures move with the clock are looked for (the most a figure lags the clock)
     * @param defaultInterval the rhythm buyers are judged by while neither they nor their merchant have enough orders
     * @param attribution     how long after a campaign's assignment an order counts as its conversion
     */
    public record Settings(ZoneId zone, Duration checkEvery, Duration defaultInterval, Duration attribution) {
    }

    public static final String MEMBER_ORDERS_STORE = MemberOrdersProcessor.ORDERS_STORE;
    public static final String MERCHANT_FIGURES_STORE = MerchantFiguresProcessor.FIGURES_STORE;
    /** Each merchant's norms (typical interval, RFM cuts), compacted, read into a global store by every instance. */
    public static final String NORMS_TOPIC = "fugou.analytics.merchant-norms";

    private RepurchaseTopology() {
    }

    public static void build(StreamsBuilder builder, AnalyticsSerdes serdes, Settings settings) {
        Serde<String> keys = Serdes.String();
        // Cached: a key written many times between two commits (a busy merchant's buyers figure) goes to RocksDB and to its
        // changelog once per commit, not once per order.
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(MemberOrdersProcessor.ORDERS_STORE), keys, serdes.histories())
                .withCachingEnabled());
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(MemberOrdersProcessor.CHECKS_STORE), keys, keys)
                .withCachingEnabled());
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(MerchantFiguresProcessor.FIGURES_STORE), keys, Serdes.Long())
                .withCachingEnabled());
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(MerchantFiguresProcessor.INSIGHTS_STORE), keys, keys));
        builder.addGlobalStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(MerchantFiguresProcessor.NORMS_STORE), keys, serdes.norms())
                        .withLoggingDisabled(), // a global store is restored from its topic
                NORMS_TOPIC, Consumed.with(keys, serdes.norms()).withName("merchants-norms"),
                () -> new ContextualProcessor<String, MerchantNorms, Void, Void>() {
                    @Override
                    public void process(Record<String, MerchantNorms> record) {
                        KeyValueStore<String, MerchantNorms> norms = context().getStateStore(MerchantFiguresProcessor.NORMS_STORE);
                        norms.put(record.key(), record.value());
                    }
                });

        KStream<String, SpecificRecord> orders = builder.stream(Topics.ORDERS.name(), Consumed.with(keys, serdes.orders()).withName("orders"))
                .mapValues(order -> (SpecificRecord) order, Named.as("order-events"));
        KStream<String, SpecificRecord> members = builder.stream(Topics.MEMBERS.name(), Consumed.with(keys, serdes.members()).withName("members"))
                .mapValues(member -> (SpecificRecord) member, Named.as("member-events"));
        KStream<String, SpecificRecord> points = builder.stream(Topics.POINTS.name(), Consumed.with(keys, serdes.points()).withName("points"))
                .mapValues(point -> (SpecificRecord) point, Named.as("points-events"));
        KStream<String, SpecificRecord> campaigns = builder.stream(Topics.CAMPAIGNS.name(), Consumed.with(keys, serdes.campaigns()).withName("campaigns"))
                .mapValues(campaign -> (SpecificRecord) campaign, Named.as("campaign-events"));
        KStream<String, SpecificRecord> moved = orders.merge(members, Named.as("orders-and-members"))
                .merge(points, Named.as("and-points")).merge(campaigns, Named.as("buyer-events"))
                .process(() -> new MemberOrdersProcessor(settings.zone(), settings.checkEvery(), settings.defaultInterval(), settings.attribution()),
                        Named.as("buyer-orders"),
                        MemberOrdersProcessor.ORDERS_STORE, MemberOrdersProcessor.CHECKS_STORE);

        KStream<String, SpecificRecord> learnt = moved.filter((key, value) -> value instanceof FigureChanges, Named.as("bucket-moves"))
                .mapValues(value -> (FigureChanges) value, Named.as("as-bucket-moves"))
                .repartition(Repartitioned.with(keys, serdes.changes()).withName("merchant-bucket-moves"))
                .process(MerchantFiguresProcessor::new, Named.as("merchant-figures"), MerchantFiguresProcessor.FIGURES_STORE,
                        MerchantFiguresProcessor.INSIGHTS_STORE);
        learnt.filter((key, value) -> value instanceof MerchantNorms, Named.as("norms"))
                .mapValues(value -> (MerchantNorms) value, Named.as("as-norms"))
                .to(NORMS_TOPIC, Produced.with(keys, serdes.norms()).withName("merchant-norms"));
        learnt.filter((key, value) -> value instanceof MerchantInsights, Named.as("insights"))
                .mapValues(value -> (MerchantInsights) value, Named.as("as-insights"))
                .to(Topics.MERCHANT_INSIGHTS.name(), Produced.with(keys, serdes.insights()).withName("merchant-insights"));

        moved.filter((key, value) -> value instanceof LifecycleEvent, Named.as("predictions"))
                .mapValues(value -> (LifecycleEvent) value, Named.as("as-lifecycle-events"))
                .to(Topics.LIFECYCLE.name(), Produced.with(keys, serdes.lifecycle()).withName("lifecycle"));
    }
}
