package io.fugou.analytics.repurchase;

import io.fugou.analytics.state.MerchantNorms;
import io.fugou.analytics.state.OrderFact;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * RFM: each buyer scored 1 to 5 on recency (the day of their last counted order), frequency (their counted orders) and
 * monetary value (their spend), by the quintiles of the merchant's buyers, and named by a segment from recency and the
 * mean of the other two.
 */
public final class Rfm {

    /** The merchant's buyers by last order day, orders and spend bucket: what the quintile cuts are taken from. */
    public static final String BASIS = "rfm-basis";
    public static final String SEGMENT = "rfm.";
    public static final List<String> SEGMENTS = List.of("champions", "loyal", "potential_loyalists", "new_customers", "promising",
            "need_attention", "at_risk", "cant_lose", "hibernating", "lost");
    /** Spend buckets grow by a quarter each: fine enough for quintiles, few enough to keep per merchant. */
    private static final double SPEND_STEP = Math.log(1.25);

    /** Scores 1 to 5 and the segment. */
    public record Score(int recency, int frequency, int monetary, String segment) {

        String key() {
            return recency + "-" + frequency + "-" + monetary + ":" + segment;
        }
    }

    private Rfm() {
    }

    /** The merchant's buyers now per segment, every segment listed in the grid's order. */
    public record Segments(Map<String, Long> segments) {

        public static Segments of(io.fugou.analytics.state.MerchantFigures figures) {
            Map<String, Long> now = figures == null ? Map.of() : figures.getFigures().getOrDefault(Contributions.NOW, Map.of());
            Map<String, Long> segments = new java.util.LinkedHashMap<>();
            SEGMENTS.forEach(segment -> segments.put(segment, now.getOrDefault(SEGMENT + segment, 0L)));
            return new Segments(segments);
        }
    }

    /** The buyer's part in the basis: their last order day, their orders and their spend bucket, one each. */
    static Map<String, Long> basis(List<OrderFact> counted, ZoneId zone) {
        if (counted.isEmpty()) {
            return Map.of();
        }
        Map<String, Long> metrics = new HashMap<>();
        metrics.put("last." + lastDay(counted, zone), 1L);
        metrics.put("orders." + counted.size(), 1L);
        metrics.put("spend." + spendBucket(spend(counted)), 1L);
        return metrics;
    }

    /** The quintile cuts of the merchant's basis: for each dimension, the values at the 20th, 40th, 60th and 80th percentile. */
    static MerchantNorms.Builder cuts(Map<String, Long> basis, MerchantNorms.Builder norms) {
        return norms.setRecencyCuts(cuts(basis, "last.")).setFrequencyCuts(cuts(basis, "orders.")).setMonetaryCuts(cuts(basis, "spend."));
    }

    private static List<Long> cuts(Map<String, Long> basis, String prefix) {
        TreeMap<Long, Long> counts = new TreeMap<>();
        long total = 0;
        for (Map.Entry<String, Long> metric : basis.entrySet()) {
            if (metric.getKey().startsWith(prefix)) {
                counts.merge(Long.parseLong(metric.getKey().substring(prefix.length())), metric.getValue(), Long::sum);
                total += metric.getValue();
            }
        }
        List<Long> cuts = new ArrayList<>();
        if (total == 0) {
            return cuts;
        }
        for (int quintile = 1; quintile < 5; quintile++) {
            long rank = (long) Math.ceil(total * quintile / 5.0);
            long seen = 0;
            for (Map.Entry<Long, Long> value : counts.entrySet()) {
                seen += value.getValue();
                if (seen >= rank) {
                    cuts.add(value.getKey());
                    break;
                }
            }
        }
        return cuts;
    }

    /** The buyer's score against the merchant's cuts; null without a counted order or without cuts yet. */
    static Score score(List<OrderFact> counted, MerchantNorms norms, ZoneId zone) {
        if (counted.isEmpty() || norms == null || norms.getRecencyCuts().isEmpty()) {
            return null;
        }
        int recency = quintile(lastDay(counted, zone), norms.getRecencyCuts());
        int frequency = quintile(counted.size(), norms.getFrequencyCuts());
        int monetary = quintile(spendBucket(spend(counted)), norms.getMonetaryCuts());
        return new Score(recency, frequency, monetary, segment(recency, (int) Math.round((frequency + monetary) / 2.0)));
    }

    /** 1 plus the cuts the value is above: a value at a cut takes the lower score, so ties go together. */
    static int quintile(long value, List<Long> cuts) {
        int score = 1;
        for (long cut : cuts) {
            if (value > cut) {
                score++;
            }
        }
        return score;
    }

    /** The segment of a recency score and a frequency-and-monetary score (the usual RFM grid). */
    static String segment(int recency, int value) {
        if (recency == 1 && value == 5) {
            return "cant_lose";
        }
        if (recency <= 2 && value >= 3) {
            return "at_risk";
        }
        if (recency == 1) {
            return "lost";
        }
        if (recency == 2) {
            return "hibernating";
        }
        if (recency >= 4 && value >= 4) {
            return "champions";
        }
        if (value >= 3) {
            return "loyal";
        }
        if (recency >= 4 && value == 2) {
            return "potential_loyalists";
        }
        if (recency == 5) {
            return "new_customers";
        }
        return recency == 4 ? "promising" : "need_attention";
    }

    static long spendBucket(long spendMinor) {
        return spendMinor <= 0 ? 0 : 1 + (long) Math.floor(Math.log(spendMinor) / SPEND_STEP);
    }

    private static long lastDay(List<OrderFact> counted, ZoneId zone) {
        return Instant.ofEpochMilli(counted.get(counted.size() - 1).getPaidAt()).atZone(zone).toLocalDate().toEpochDay();
    }

    /** What the counted orders came to less partial refunds, all currencies together (a merchant sells in one). */
    private static long spend(List<OrderFact> counted) {
        return counted.stream().mapToLong(order -> order.getAmountMinor() - order.getRefundedMinor()).sum();
    }
}
