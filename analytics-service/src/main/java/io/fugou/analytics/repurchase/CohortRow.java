package io.fugou.analytics.repurchase;

import io.fugou.analytics.state.MerchantFigures;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One row of the retention matrix: the buyers whose first counted order fell in {@code cohort}, and how many of them bought
 * again in each month since (month 0 is the cohort's own month, so {@code retained[0]} is its size).
 *
 * @param rates retained over size, month by month
 */
public record CohortRow(String cohort, long size, List<Long> retained, List<Double> rates) {

    /** The rows from {@code first} to {@code last}, each with its months up to {@code through}. */
    public static List<CohortRow> of(MerchantFigures figures, YearMonth first, YearMonth last, YearMonth through) {
        Map<String, Long> cells = figures == null ? Map.of() : figures.getFigures().getOrDefault(Contributions.COHORTS, Map.of());
        List<CohortRow> rows = new ArrayList<>();
        for (YearMonth cohort = first; !cohort.isAfter(last); cohort = cohort.plusMonths(1)) {
            long size = cells.getOrDefault(cohort + "|0", 0L);
            List<Long> retained = new ArrayList<>();
            List<Double> rates = new ArrayList<>();
            for (int since = 0; !cohort.plusMonths(since).isAfter(through); since++) {
                long buyers = cells.getOrDefault(cohort + "|" + since, 0L);
                retained.add(buyers);
                rates.add(size == 0 ? null : (double) buyers / size);
            }
            rows.add(new CohortRow(cohort.toString(), size, retained, rates));
        }
        return rows;
    }
}
