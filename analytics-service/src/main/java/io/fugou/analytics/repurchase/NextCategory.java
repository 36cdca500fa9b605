package io.fugou.analytics.repurchase;

import io.fugou.analytics.state.MerchantFigures;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * After an order with {@code category}, the categories of the buyer's next order, most often first.
 *
 * @param after  how many next orders followed one with the category
 * @param buyers how many buyers those next orders were of
 * @param next   each category bought next, with in how many of those next orders and that share of {@code after}
 */
public record NextCategory(String category, long after, long buyers, List<Next> next) {

    public record Next(String category, long times, double share) {
    }

    /** Per category bought, what was bought next (the {@code top} most often), categories in name order. */
    public static List<NextCategory> of(MerchantFigures figures, int top) {
        return of(figures == null ? Map.of() : figures.getFigures().getOrDefault(Contributions.NEXT_CATEGORY, Map.of()), top);
    }

    /** The same from the figure's own metrics: pairs of categories ({@link Contributions#PAIR} between) and how often. */
    static List<NextCategory> of(Map<String, Long> pairs, int top) {
        Map<String, List<Next>> byCategory = new TreeMap<>();
        Map<String, Long> orders = new HashMap<>();
        Map<String, Long> buyers = new HashMap<>();
        Map<String, Long> pairsAfter = new HashMap<>();
        pairs.forEach((pair, times) -> {
            int arrow = pair.indexOf(Contributions.PAIR);
            String before = pair.substring(0, arrow);
            String after = pair.substring(arrow + 1);
            if (after.equals(Contributions.NEXT_ORDERS)) {
                orders.put(before, times);
            } else if (after.equals(Contributions.NEXT_BUYERS)) {
                buyers.put(before, times);
            } else {
                byCategory.computeIfAbsent(before, key -> new ArrayList<>()).add(new Next(after, times, 0));
                pairsAfter.merge(before, times, Long::sum);
            }
        });
        List<NextCategory> result = new ArrayList<>();
        byCategory.forEach((category, next) -> {
            // Figures counted before the next orders were (an older state) have only the pairs: their sum stands in.
            long total = orders.getOrDefault(category, pairsAfter.get(category));
            result.add(new NextCategory(category, total, buyers.getOrDefault(category, 0L), next.stream()
                    .sorted(Comparator.comparingLong(Next::times).reversed().thenComparing(Next::category)).limit(top)
                    .map(candidate -> new Next(candidate.category(), candidate.times(), (double) candidate.times() / total)).toList()));
        });
        return result;
    }
}
