package io.fugou.analytics.repurchase;

import io.fugou.analytics.state.MemberHistory;
import io.fugou.analytics.state.OrderFact;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One buyer's figures, from the orders analytics counts (paid, not refunded in full, not cancelled).
 *
 * @param orders            counted orders
 * @param firstOrderAt      the first counted order (null: none)
 * @param lastOrderAt       the last counted order
 * @param spendMinor        what the counted orders came to, less partial refunds, per currency (minor units)
 * @param meanIntervalDays  the mean of the days between consecutive counted orders (null with fewer than two orders)
 * @param medianIntervalDays the median of the same
 * @param categories        counted orders per category bought
 * @param predictedNextOrderAt when the next order is expected (null: too few orders of their own yet)
 */
public record MemberFigures(int orders, Instant firstOrderAt, Instant lastOrderAt, Map<String, Long> spendMinor, Double meanIntervalDays,
                            Double medianIntervalDays, Map<String, Integer> categories, Instant predictedNextOrderAt) {

    private static final double DAY = 86_400_000d;

    public static MemberFigures of(MemberHistory history) {
        List<OrderFact> counted = history.getOrders().stream().filter(Contributions::counts)
                .sorted(java.util.Comparator.comparing(OrderFact::getPaidAt)).toList();
        Map<String, Long> spend = new TreeMap<>();
        Map<String, Integer> categories = new TreeMap<>();
        List<Long> intervals = new ArrayList<>();
        for (int i = 0; i < counted.size(); i++) {
            OrderFact fact = counted.get(i);
            spend.merge(fact.getCurrency(), fact.getAmountMinor() - fact.getRefundedMinor(), Long::sum);
            fact.getCategories().forEach(category -> categories.merge(category, 1, Integer::sum));
            if (i > 0) {
                intervals.add(fact.getPaidAt() - counted.get(i - 1).getPaidAt());
            }
        }
        Double mean = intervals.isEmpty() ? null : intervals.stream().mapToLong(Long::longValue).average().orElseThrow() / DAY;
        Double median = intervals.isEmpty() ? null : median(intervals) / DAY;
        return new MemberFigures(counted.size(), counted.isEmpty() ? null : Instant.ofEpochMilli(counted.get(0).getPaidAt()),
                counted.isEmpty() ? null : Instant.ofEpochMilli(counted.get(counted.size() - 1).getPaidAt()), spend, mean, median, categories,
                history.getPredictedAt() == null ? null : Instant.ofEpochMilli(history.getPredictedAt()));
    }

    /** The median (the mean of the middle two for an even count); the values need not be sorted. */
    static long median(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        int middle = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
    }
}
