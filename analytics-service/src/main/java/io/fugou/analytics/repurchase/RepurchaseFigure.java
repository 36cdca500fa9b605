package io.fugou.analytics.repurchase;

import io.fugou.analytics.state.MerchantFigures;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A merchant's repurchase figure for one period.
 *
 * @param period         {@code 30d}, {@code 90d}, {@code 365d} (rolling, up to now) or a calendar month, {@code 2026-11}
 * @param buyers         buyers with at least one counted order in the period
 * @param repeatBuyers   buyers with two or more
 * @param repurchaseRate repeatBuyers / buyers (复购率); null without buyers
 * @param frequency      buyers by their counted orders in the period: 1, 2, 3, 4-5, 6+
 * @param updatedAt      when the merchant's figures last moved (null: never)
 */
public record RepurchaseFigure(String period, long buyers, long repeatBuyers, Double repurchaseRate, Map<String, Long> frequency,
                               Instant updatedAt) {

    public static RepurchaseFigure of(String period, MerchantFigures figures) {
        List<Long> buckets = figures == null ? null : figures.getBuckets().get(period);
        Map<String, Long> frequency = new LinkedHashMap<>();
        long buyers = 0;
        for (int i = 0; i < Frequency.LABELS.size(); i++) {
            long count = buckets == null ? 0 : buckets.get(i);
            frequency.put(Frequency.LABELS.get(i), count);
            buyers += count;
        }
        long repeat = buyers - frequency.get(Frequency.LABELS.get(0));
        return new RepurchaseFigure(period, buyers, repeat, buyers == 0 ? null : (double) repeat / buyers, frequency,
                figures == null ? null : Instant.ofEpochMilli(figures.getUpdatedAt()));
    }
}
