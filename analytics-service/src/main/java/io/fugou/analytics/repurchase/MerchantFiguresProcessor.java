package io.fugou.analytics.repurchase;

import io.fugou.analytics.state.FigureChanges;
import io.fugou.analytics.state.MerchantFigures;
import io.fugou.analytics.state.MerchantNorms;
import io.fugou.events.insights.CategoryBoughtNext;
import io.fugou.events.insights.CategoryFollowers;
import io.fugou.events.insights.MerchantInsights;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * A merchant's figures (partitioned by merchantId): its buyers' contributions, summed, one store entry per figure and metric
 * ({@code merchantId:figure\0metric}), so a buyer's move touches only the few entries it moves, however many figures the
 * merchant has. Publishes the merchant's norms when they move (looked at every few seconds, not per order): its typical
 * interval between orders (the median over the last 365 days), for judging the rhythm of buyers with too few orders of
 * their own, and its RFM quintile cuts; and, to {@code fugou.merchant-insights.v1} for campaigns, the categories most often
 * bought next when their order changes.
 */
public final class MerchantFiguresProcessor extends ContextualProcessor<String, FigureChanges, String, SpecificRecord> {

    static final String FIGURES_STORE = "merchant-figures";
    /** The global store of every merchant's norms (typical interval, RFM cuts), read by every buyer's processor. */
    static final String NORMS_STORE = "merchant-norms";
    /** Per merchant, the order of the categories bought next as last published (so only a change is published again). */
    static final String INSIGHTS_STORE = "merchant-insights-published";
    /** The fewest next orders, of the fewest buyers, a category's followers are published from: a few buyers' habit is not the shop's. */
    static final long NEXT_CATEGORY_FROM = 20;
    static final long NEXT_CATEGORY_BUYERS = 5;
    /** How many categories bought next are published per category. */
    static final int NEXT_CATEGORY_TOP = 5;
    /** The most categories published (those followed by the most next orders), so a vast catalogue's record stays small. */
    static final int NEXT_CATEGORY_MOST = 500;
    /** The fewest intervals a merchant's typical interval is taken from. */
    static final long TYPICAL_FROM = 20;
    /** How often the norms of merchants whose figures moved are worked out again. */
    static final Duration NORMS_EVERY = Duration.ofSeconds(5);
    /** The entry of when the merchant's figures last moved. */
    private static final String UPDATED_AT = "\u0000updatedAt";
    private static final long DAY = Duration.ofDays(1).toMillis();

    private KeyValueStore<String, Long> figures;
    private KeyValueStore<String, MerchantNorms> norms;
    private KeyValueStore<String, String> published;
    private final Set<String> moved = new LinkedHashSet<>();

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        super.init(context);
        figures = context.getStateStore(FIGURES_STORE);
        norms = context.getStateStore(NORMS_STORE);
        published = context.getStateStore(INSIGHTS_STORE);
        // Which merchants moved is kept in memory only: after a restart, this task's merchants are looked at once again.
        try (KeyValueIterator<String, String> merchants = published.all()) {
            merchants.forEachRemaining(merchant -> moved.add(merchant.key));
        }
        context.schedule(NORMS_EVERY, PunctuationType.WALL_CLOCK_TIME, this::publishNorms);
    }

    @Override
    public void process(Record<String, FigureChanges> record) {
        String merchant = record.value().getMerchantId();
        record.value().getChanges().forEach((figure, metrics) -> metrics.forEach((metric, by) -> {
            String key = key(merchant, figure, metric);
            Long sum = figures.get(key);
            long total = (sum == null ? 0 : sum) + by;
            if (total == 0) {
                figures.delete(key);
            } else {
                figures.put(key, total);
            }
        }));
        figures.put(merchant + ":" + UPDATED_AT, context().currentSystemTimeMs());
        moved.add(merchant);
    }

    /** The norms and insights of the merchants whose figures moved since the last look, published when they changed. */
    private void publishNorms(long now) {
        for (String merchant : moved) {
            MerchantNorms latest = Rfm.cuts(figure(figures, merchant, Rfm.BASIS), MerchantNorms.newBuilder()
                    .setTypicalIntervalMillis(typicalInterval(figure(figures, merchant, Frequency.Window.D365.figure()), TYPICAL_FROM))).build();
            if (!latest.equals(norms.get(merchant))) {
                context().forward(new Record<>(merchant, latest, now));
            }
            List<CategoryFollowers> followers = followers(figure(figures, merchant, Contributions.NEXT_CATEGORY));
            // Counts move with every order; the order of the categories is what campaigns act on, so only its change is news.
            String order = order(followers);
            String before = published.get(merchant);
            if (!order.equals(before == null ? "" : before)) {
                published.put(merchant, order);
                context().forward(new Record<>(merchant, MerchantInsights.newBuilder().setMerchantId(merchant).setUpdatedAt(Instant.ofEpochMilli(now))
                        .setNextCategories(followers).build(), now));
            }
        }
        moved.clear();
    }

    /** Per category followed by enough next orders of enough buyers, the categories bought next, most often first; categories by name. */
    static List<CategoryFollowers> followers(Map<String, Long> pairs) {
        return NextCategory.of(pairs, NEXT_CATEGORY_TOP).stream()
                .filter(category -> category.after() >= NEXT_CATEGORY_FROM && category.buyers() >= NEXT_CATEGORY_BUYERS)
                .sorted(java.util.Comparator.comparingLong(NextCategory::after).reversed()).limit(NEXT_CATEGORY_MOST)
                .sorted(java.util.Comparator.comparing(NextCategory::category))
                .map(category -> CategoryFollowers.newBuilder().setCategory(category.category()).setNextOrders(category.after())
                        .setBuyers(category.buyers())
                        .setNext(category.next().stream().map(next -> CategoryBoughtNext.newBuilder().setCategory(next.category())
                                .setOrders(next.times()).setShare(next.share()).build()).toList())
                        .build())
                .toList();
    }

    /** The categories and those bought next after each, in order, without the counts. */
    private static String order(List<CategoryFollowers> followers) {
        StringBuilder order = new StringBuilder();
        for (CategoryFollowers category : followers) {
            order.append(category.getCategory());
            category.getNext().forEach(next -> order.append(Contributions.PAIR).append(next.getCategory()));
            order.append('\u001E');
        }
        return order.toString();
    }

    static String key(String merchant, String figure, String metric) {
        return merchant + ":" + figure + "\u0000" + metric;
    }

    /** One figure's metrics (merchant ids have no ':', so the prefix is the merchant's alone). */
    static Map<String, Long> figure(ReadOnlyKeyValueStore<String, Long> store, String merchant, String figure) {
        String prefix = merchant + ":" + figure + "\u0000";
        Map<String, Long> metrics = new HashMap<>();
        try (KeyValueIterator<String, Long> entries = store.prefixScan(prefix, new org.apache.kafka.common.serialization.StringSerializer())) {
            entries.forEachRemaining(entry -> metrics.put(entry.key.substring(prefix.length()), entry.value));
        }
        return metrics;
    }

    /** Every figure of the merchant, as the answers read them; null when nothing was ever counted for it. */
    public static MerchantFigures read(ReadOnlyKeyValueStore<String, Long> store, String merchant) {
        Map<String, Map<String, Long>> all = new HashMap<>();
        long updatedAt = 0;
        String prefix = merchant + ":";
        try (KeyValueIterator<String, Long> entries = store.prefixScan(prefix, new org.apache.kafka.common.serialization.StringSerializer())) {
            while (entries.hasNext()) {
                KeyValue<String, Long> entry = entries.next();
                String rest = entry.key.substring(prefix.length());
                if (rest.equals(UPDATED_AT)) {
                    updatedAt = entry.value;
                    continue;
                }
                int split = rest.indexOf('\u0000');
                all.computeIfAbsent(rest.substring(0, split), figure -> new HashMap<>()).put(rest.substring(split + 1), entry.value);
            }
        }
        return updatedAt == 0 && all.isEmpty() ? null : new MerchantFigures(merchant, all, updatedAt);
    }

    /**
     * The median of the intervals' whole days, at the middle of that day (millis), the mean of the two middle ones for an even
     * count; null with fewer than {@code fewest}.
     */
    static Long typicalInterval(Map<String, Long> metrics, long fewest) {
        TreeMap<Long, Long> days = new TreeMap<>();
        long total = 0;
        for (Map.Entry<String, Long> metric : metrics.entrySet()) {
            if (metric.getKey().startsWith(Contributions.INTERVAL_DAYS)) {
                days.put(Long.parseLong(metric.getKey().substring(Contributions.INTERVAL_DAYS.length())), metric.getValue());
                total += metric.getValue();
            }
        }
        if (total < fewest || total == 0) {
            return null;
        }
        long seen = 0;
        for (Map.Entry<Long, Long> day : days.entrySet()) {
            seen += day.getValue();
            if (seen * 2 > total) {
                return day.getKey() * DAY + DAY / 2;
            }
            if (seen * 2 == total) { // the two middle intervals fall on this day and the next
                return (day.getKey() + days.higherKey(day.getKey())) * DAY / 2 + DAY / 2;
            }
        }
        throw new IllegalStateException("unreachable: the counts add up to " + total);
    }
}
