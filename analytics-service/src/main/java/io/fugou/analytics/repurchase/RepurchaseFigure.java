package io.fugou.analytics.repurchase;

import io.fugou.analytics.state.MerchantFigures;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A merchant's repurchase figures for one period (docs/analytics-service.md defines each).
 *
 * @param period               {@code 30d}, {@code 90d}, {@code 365d} (rolling, up to now) or a calendar month, {@code 2026-11}
 * @param buyers               buyers with at least one counted order in the period
 * @param repeatBuyers         buyers with two or more
 * @param repurchaseRate       repeatBuyers / buyers (复购率); null without buyers
 * @param frequency            buyers by their counted orders in the period: 1, 2, 3, 4-5, 6+
 * @param members              the same three figures for buyers who are members
 * @param guests               and for buyers who are not
 * @param firstOrders          the period's orders that were their buyer's first, and their average value per currency
 * @param repeatOrders         the period's other orders
 * @param daysBetweenPurchases the intervals ending with the period's repeat orders
 * @param repeatByCategory     repeat orders per category bought in them, most first
 * @param repeatByHour         repeat orders per hour of the day they were paid (00 to 23, in the service's zone)
 * @param updatedAt            when the merchant's figures last moved (null: never)
 */
public record RepurchaseFigure(String period, long buyers, long repeatBuyers, Double repurchaseRate, Map<String, Long> frequency,
                               Group members, Group guests, OrderValue firstOrders, OrderValue repeatOrders, Intervals daysBetweenPurchases,
                               Map<String, Long> repeatByCategory, Map<String, Long> repeatByHour, Instant updatedAt) {

    /** Buyers, repeat buyers and their ratio (null without buyers). */
    public record Group(long buyers, long repeatBuyers, Double repurchaseRate) {

        static Group of(long buyers, long repeatBuyers) {
            return new Group(buyers, repeatBuyers, buyers == 0 ? null : (double) repeatBuyers / buyers);
        }
    }

    /** Orders, and their average value per currency in minor units (rounded down), after partial refunds. */
    public record OrderValue(long orders, Map<String, Long> averageValueMinor) {
    }

    /** How many intervals, their mean in days, and the median's whole days (null without intervals). */
    public record Intervals(long intervals, Double meanDays, Long medianDays) {
    }

    private static final double DAY = Duration.ofDays(1).toMillis();

    public static RepurchaseFigure of(String period, MerchantFigures figures) {
        Map<String, Long> metrics = figures == null ? Map.of() : figures.getFigures().getOrDefault(period, Map.of());
        Map<String, Long> frequency = new LinkedHashMap<>();
        for (String label : Frequency.LABELS) {
            frequency.put(label, metrics.getOrDefault(Contributions.FREQUENCY + label, 0L));
        }
        Group all = Group.of(metrics.getOrDefault(Contributions.BUYERS, 0L), metrics.getOrDefault(Contributions.REPEAT_BUYERS, 0L));
        Map<String, Long> hours = new LinkedHashMap<>();
        for (int hour = 0; hour < 24; hour++) {
            String name = String.format("%02d", hour);
            hours.put(name, metrics.getOrDefault(Contributions.REPEAT_HOUR + name, 0L));
        }
        long intervals = metrics.getOrDefault(Contributions.INTERVALS, 0L);
        return new RepurchaseFigure(period, all.buyers(), all.repeatBuyers(), all.repurchaseRate(), frequency,
                Group.of(metrics.getOrDefault(Contributions.BUYERS + Contributions.MEMBER, 0L),
                        metrics.getOrDefault(Contributions.REPEAT_BUYERS + Contributions.MEMBER, 0L)),
                Group.of(metrics.getOrDefault(Contributions.BUYERS + Contributions.GUEST, 0L),
                        metrics.getOrDefault(Contributions.REPEAT_BUYERS + Contributions.GUEST, 0L)),
                orderValue(metrics, Contributions.FIRST_ORDERS, Contributions.FIRST_AMOUNT),
                orderValue(metrics, Contributions.REPEAT_ORDERS, Contributions.REPEAT_AMOUNT),
                new Intervals(intervals, intervals == 0 ? null : metrics.getOrDefault(Contributions.INTERVAL_MILLIS, 0L) / DAY / intervals,
                        medianDays(metrics)),
                byCount(metrics, Contributions.REPEAT_CATEGORY), hours,
                figures == null ? null : Instant.ofEpochMilli(figures.getUpdatedAt()));
    }

    private static OrderValue orderValue(Map<String, Long> metrics, String orders, String amounts) {
        Map<String, Long> averages = new TreeMap<>();
        metrics.forEach((metric, amount) -> {
            if (metric.startsWith(amounts)) {
                String currency = metric.substring(amounts.length());
                long count = metrics.getOrDefault(orders + "." + currency, 0L);
                if (count > 0) {
                    averages.put(currency, Math.floorDiv(amount, count));
                }
            }
        });
        return new OrderValue(metrics.getOrDefault(orders, 0L), averages);
    }

    private static Long medianDays(Map<String, Long> metrics) {
        Long typical = MerchantFiguresProcessor.typicalInterval(metrics, 1);
        return typical == null ? null : typical / Duration.ofDays(1).toMillis();
    }

    /** The metrics under a prefix, by the rest of their name, largest first. */
    static Map<String, Long> byCount(Map<String, Long> metrics, String prefix) {
        Map<String, Long> counts = new LinkedHashMap<>();
        metrics.entrySet().stream().filter(metric -> metric.getKey().startsWith(prefix))
                .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()))
                .forEach(metric -> counts.put(metric.getKey().substring(prefix.length()), metric.getValue()));
        return counts;
    }
}
