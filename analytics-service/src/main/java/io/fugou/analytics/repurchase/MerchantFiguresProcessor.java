package io.fugou.analytics.repurchase;

import io.fugou.analytics.state.FigureChanges;
import io.fugou.analytics.state.MerchantFigures;
import io.fugou.analytics.state.MerchantNorms;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A merchant's figures (keyed merchantId): its buyers' contributions, summed. Publishes the merchant's norms when they move:
 * its typical interval between orders (the median over the last 365 days), for judging the rhythm of buyers with too few
 * orders of their own, and its RFM quintile cuts.
 */
final class MerchantFiguresProcessor extends ContextualProcessor<String, FigureChanges, String, MerchantNorms> {

    static final String FIGURES_STORE = "merchant-figures";
    /** The global store of every merchant's norms (typical interval, RFM cuts), read by every buyer's processor. */
    static final String NORMS_STORE = "merchant-norms";
    /** The fewest intervals a merchant's typical interval is taken from. */
    static final long TYPICAL_FROM = 20;
    private static final long DAY = Duration.ofDays(1).toMillis();

    private KeyValueStore<String, MerchantFigures> figures;
    private KeyValueStore<String, MerchantNorms> norms;

    @Override
    public void init(ProcessorContext<String, MerchantNorms> context) {
        super.init(context);
        figures = context.getStateStore(FIGURES_STORE);
        norms = context.getStateStore(NORMS_STORE);
    }

    @Override
    public void process(Record<String, FigureChanges> record) {
        FigureChanges moved = record.value();
        MerchantFigures merchant = figures.get(moved.getMerchantId());
        Map<String, Map<String, Long>> totals = merchant == null ? new HashMap<>() : new HashMap<>(merchant.getFigures());
        moved.getChanges().forEach((figure, metrics) -> {
            Map<String, Long> total = new HashMap<>(totals.getOrDefault(figure, Map.of()));
            metrics.forEach((metric, by) -> {
                long sum = total.getOrDefault(metric, 0L) + by;
                if (sum == 0) {
                    total.remove(metric);
                } else {
                    total.put(metric, sum);
                }
            });
            if (total.isEmpty()) {
                totals.remove(figure);
            } else {
                totals.put(figure, total);
            }
        });
        figures.put(moved.getMerchantId(), new MerchantFigures(moved.getMerchantId(), totals, context().currentSystemTimeMs()));
        MerchantNorms now = Rfm.cuts(totals.getOrDefault(Rfm.BASIS, Map.of()), MerchantNorms.newBuilder()
                .setTypicalIntervalMillis(typicalInterval(totals.getOrDefault(Frequency.Window.D365.figure(), Map.of()), TYPICAL_FROM))).build();
        if (!now.equals(norms.get(moved.getMerchantId()))) {
            context().forward(new Record<>(moved.getMerchantId(), now, record.timestamp()));
        }
    }

    /** The median of the intervals' whole days, at the middle of that day (millis); null with fewer than {@code fewest}. */
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
            if (seen * 2 >= total) {
                return day.getKey() * DAY + DAY / 2;
            }
        }
        throw new IllegalStateException("unreachable: the counts add up to " + total);
    }
}
