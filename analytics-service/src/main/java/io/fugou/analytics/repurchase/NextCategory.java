package io.fugou.analytics.repurchase;

import io.fugou.analytics.state.MerchantFigures;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * After an order with {@code category}, the categories of the buyer's next order, most often first.
 *
 * @param after how many next orders followed one with the category
 * @param next  each category bought next, with how often and its share of {@code after}
 */
public record NextCategory(String category, long after, List<Next> next) {

    public record Next(String category, long times, double share) {
    }

    /** Per category bought, what was bought next (the {@code top} most often), categories in name order. */
    public static List<NextCategory> of(MerchantFigures figures, int top) {
        return of(figures == null ? Map.of() : figures.getFigures().getOrDefault(Contributions.NEXT_CATEGORY, Map.of()), top);
    }

    /** The same from the figure's own metrics: pairs of categories ({@link Contributions#PAIR} between) and how often. */
    static List<NextCategory> of(Map<String, Long> pairs, int top) {
        Map<String, List<Next>> byCategory = new TreeMap<>();
        Map<String, Long> totals = new TreeMap<>();
        pairs.forEach((pair, times) -> {
            int arrow = pair.indexOf(Contributions.PAIR);
            String before = pair.substring(0, arrow);
            byCategory.computeIfAbsent(before, key -> new ArrayList<>()).add(new Next(pair.substring(arrow + 1), times, 0));
            totals.merge(before, times, Long::sum);
        });
        List<NextCategory> result = new ArrayList<>();
        byCategory.forEach((category, next) -> {
            long total = totals.get(category);
            result.add(new NextCategory(category, total, next.stream()
                    .sorted(Comparator.comparingLong(Next::times).reversed().thenComparing(Next::category)).limit(top)
                    .map(candidate -> new Next(candidate.category(), candidate.times(), (double) candidate.times() / total)).toList()));
        });
        return result;
    }
}
