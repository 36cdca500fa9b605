package io.fugou.analytics.repurchase;

import java.time.Duration;
import java.util.List;

/** How a buyer's paid orders in a figure's period are bucketed, and the rolling windows figures are kept for. */
public final class Frequency {

    /** The buckets' labels, index 0 being bucket 1: buyers with 1, 2, 3, 4 or 5, and 6 or more orders. */
    public static final List<String> LABELS = List.of("1", "2", "3", "4-5", "6+");

    /** The rolling windows, by name: the days up to now. */
    public enum Window {
        D30("30d", Duration.ofDays(30)), D90("90d", Duration.ofDays(90)), D365("365d", Duration.ofDays(365));

        private final String figure;
        private final Duration length;

        Window(String figure, Duration length) {
            this.figure = figure;
            this.length = length;
        }

        public String figure() {
            return figure;
        }

        public long millis() {
            return length.toMillis();
        }

        /** The window named {@code 30d}, {@code 90d} or {@code 365d}; null for any other name. */
        public static Window named(String figure) {
            for (Window window : values()) {
                if (window.figure.equals(figure)) {
                    return window;
                }
            }
            return null;
        }
    }

    private Frequency() {
    }

    /** 0 for no order, else 1 to 5 (see {@link #LABELS}). */
    public static int bucket(int orders) {
        if (orders <= 3) {
            return Math.max(orders, 0);
        }
        return orders <= 5 ? 4 : 5;
    }
}
