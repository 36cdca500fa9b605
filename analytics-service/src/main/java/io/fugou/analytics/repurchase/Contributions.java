package io.fugou.analytics.repurchase;

import io.fugou.analytics.state.OrderFact;
import io.fugou.events.lifecycle.LifecycleStage;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one buyer adds to each of the merchant's figures (metric name to amount): the merchant's figures are these summed over
 * its buyers, so a buyer's move is reported as the difference. Pure functions of the buyer's counted orders (paid, not
 * refunded in full nor cancelled), oldest first; docs/analytics-service.md defines every metric.
 */
public final class Contributions {

    public static final String BUYERS = "buyers";
    public static final String REPEAT_BUYERS = "repeatBuyers";
    public static final String MEMBER = ".member";
    public static final String GUEST = ".guest";
    public static final String FREQUENCY = "frequency.";
    public static final String FIRST_ORDERS = "orders.first";
    public static final String REPEAT_ORDERS = "orders.repeat";
    public static final String FIRST_AMOUNT = "amount.first.";
    public static final String REPEAT_AMOUNT = "amount.repeat.";
    public static final String REPEAT_CATEGORY = "repeat.category.";
    public static final String REPEAT_HOUR = "repeat.hour.";
    public static final String INTERVAL_DAYS = "interval.days.";
    public static final String INTERVAL_MILLIS = "interval.millis";
    public static final String INTERVALS = "intervals";
    public static final String STAGE = "stage.";
    /** Figures that do not move with the clock: every buyer's first month against months since, and the category bought next. */
    public static final String COHORTS = "cohorts";
    public static final String NEXT_CATEGORY = "next-category";
    /** The figure of where buyers stand now (their lifecycle stage). */
    public static final String NOW = "now";
    /** Members now, by tier, channel and recruitment code: {@code members}, {@code tier.gold}, {@code channel.SHOP_HOME}, {@code code.X}. */
    public static final String MEMBERS = "members";
    /** Enrollments per day (in the service's zone), {@code 2026-11-29}. */
    public static final String ENROLLMENTS = "enrollments";
    /** Points earned, redeemed, expired, reversed and adjusted, and the balances and pending points members hold (the liability). */
    public static final String POINTS = "points";
    /** A campaign's results: {@code campaign:<campaignId>}. */
    public static final String CAMPAIGN = "campaign:";

    /** Overdue by this many of the buyer's intervals: at risk. */
    static final double AT_RISK_INTERVALS = 1.5;
    /** Overdue by this many: lapsed. */
    static final double LAPSED_INTERVALS = 3.0;
    private static final long DAY = Duration.ofDays(1).toMillis();
    /** {@code repeat.hour.00} to {@code repeat.hour.23}, made once: formatting them per order showed in profiles. */
    private static final String[] HOURS = java.util.stream.IntStream.range(0, 24).mapToObj(hour -> REPEAT_HOUR + String.format("%02d", hour))
            .toArray(String[]::new);

    private Contributions() {
    }

    /** The buyer's counted orders, oldest first. */
    public static List<OrderFact> counted(List<OrderFact> orders) {
        return orders.stream().filter(Contributions::counts).sorted(java.util.Comparator.comparing(OrderFact::getPaidAt)).toList();
    }

    /** A paid order not refunded in full nor cancelled. */
    public static boolean counts(OrderFact fact) {
        return fact.getPaidAt() != null && !fact.getVoided();
    }

    /** The buyer's part in a period's figures: the counted orders paid in [from, until). */
    static Map<String, Long> period(List<OrderFact> counted, long from, long until, boolean member, ZoneId zone) {
        Map<String, Long> metrics = new HashMap<>();
        int orders = 0;
        for (int i = 0; i < counted.size(); i++) {
            OrderFact order = counted.get(i);
            if (order.getPaidAt() < from || order.getPaidAt() >= until) {
                continue;
            }
            orders++;
            boolean first = i == 0;
            metrics.merge(first ? FIRST_ORDERS : REPEAT_ORDERS, 1L, Long::sum);
            metrics.merge((first ? FIRST_ORDERS : REPEAT_ORDERS) + "." + order.getCurrency(), 1L, Long::sum);
            metrics.merge((first ? FIRST_AMOUNT : REPEAT_AMOUNT) + order.getCurrency(), order.getAmountMinor() - order.getRefundedMinor(), Long::sum);
            if (!first) {
                for (String category : order.getCategories()) {
                    metrics.merge(REPEAT_CATEGORY + category, 1L, Long::sum);
                }
                metrics.merge(HOURS[Instant.ofEpochMilli(order.getPaidAt()).atZone(zone).getHour()], 1L, Long::sum);
                long interval = order.getPaidAt() - counted.get(i - 1).getPaidAt();
                metrics.merge(INTERVAL_DAYS + interval / DAY, 1L, Long::sum);
                metrics.merge(INTERVAL_MILLIS, interval, Long::sum);
                metrics.merge(INTERVALS, 1L, Long::sum);
            }
        }
        if (orders > 0) {
            String kind = member ? MEMBER : GUEST;
            metrics.put(BUYERS, 1L);
            metrics.put(BUYERS + kind, 1L);
            metrics.put(FREQUENCY + Frequency.LABELS.get(Frequency.bucket(orders) - 1), 1L);
            if (orders > 1) {
                metrics.put(REPEAT_BUYERS, 1L);
                metrics.put(REPEAT_BUYERS + kind, 1L);
            }
        }
        return metrics;
    }

    /** Per calendar month with a counted order (of {@code only}'s, when given: null for all), the buyer's part in it. */
    static Map<String, Map<String, Long>> months(List<OrderFact> counted, boolean member, ZoneId zone, Set<YearMonth> only) {
        Set<YearMonth> months = new LinkedHashSet<>();
        if (only == null) {
            counted.forEach(order -> months.add(month(order, zone)));
        } else {
            months.addAll(only);
        }
        Map<String, Map<String, Long>> figures = new HashMap<>();
        for (YearMonth month : months) {
            Map<String, Long> metrics = period(counted, start(month, zone), start(month.plusMonths(1), zone), member, zone);
            if (!metrics.isEmpty()) {
                figures.put(month.toString(), metrics);
            }
        }
        return figures;
    }

    static YearMonth month(OrderFact order, ZoneId zone) {
        return YearMonth.from(Instant.ofEpochMilli(order.getPaidAt()).atZone(zone));
    }

    private static long start(YearMonth month, ZoneId zone) {
        return month.atDay(1).atStartOfDay(zone).toInstant().toEpochMilli();
    }

    /**
     * The retention matrix's cells the buyer is in: {@code 2026-03|2} is a buyer who first bought in March 2026 and bought in
     * May. Only the cells of {@code only}'s months when given (null: all), which needs the first order to be the same.
     */
    static Map<String, Long> cohorts(List<OrderFact> counted, ZoneId zone, Set<YearMonth> only) {
        Map<String, Long> cells = new HashMap<>();
        if (counted.isEmpty()) {
            return cells;
        }
        YearMonth first = month(counted.get(0), zone);
        if (only == null) {
            for (OrderFact order : counted) {
                cells.put(first + "|" + ChronoUnit.MONTHS.between(first, month(order, zone)), 1L);
            }
            return cells;
        }
        for (YearMonth month : only) {
            long from = start(month, zone);
            long until = start(month.plusMonths(1), zone);
            if (counted.stream().anyMatch(order -> order.getPaidAt() >= from && order.getPaidAt() < until)) {
                cells.put(first + "|" + ChronoUnit.MONTHS.between(first, month), 1L);
            }
        }
        return cells;
    }

    /** Between the two categories of a pair: a shop's category path may hold any printable character ('>' often). */
    public static final char PAIR = '\u001F';

    /** After a category and {@link #PAIR}: the next orders that followed one with it (not a category: no shop's has a control character). */
    public static final String NEXT_ORDERS = "\u001Eorders";
    /** After a category and {@link #PAIR}: the buyers who ordered again after an order with it (1 per buyer). */
    public static final String NEXT_BUYERS = "\u001Ebuyers";

    /**
     * For each pair of consecutive orders ending at one of {@code ending} (null: every pair), each category of the earlier with
     * each of the later ({@link #PAIR} between) and, per category of the earlier, the next order itself ({@link #NEXT_ORDERS});
     * and per category of any order but the last, the buyer ({@link #NEXT_BUYERS}). An order event moves only the pairs ending
     * at the order and at the one after it, so only those need working out again.
     */
    static Map<String, Long> nextCategories(List<OrderFact> counted, Set<OrderFact> ending) {
        Map<String, Long> pairs = new HashMap<>();
        Set<String> followed = new HashSet<>();
        for (int i = 1; i < counted.size(); i++) {
            followed.addAll(counted.get(i - 1).getCategories());
            if (ending != null && !ending.contains(counted.get(i))) {
                continue;
            }
            for (String before : new LinkedHashSet<>(counted.get(i - 1).getCategories())) {
                pairs.merge(before + PAIR + NEXT_ORDERS, 1L, Long::sum);
                for (String after : new LinkedHashSet<>(counted.get(i).getCategories())) {
                    pairs.merge(before + PAIR + after, 1L, Long::sum);
                }
            }
        }
        followed.forEach(category -> pairs.put(category + PAIR + NEXT_BUYERS, 1L));
        return pairs;
    }

    /**
     * The orders whose part in the figures an event on {@code orderId} moved, as identities: the order as it was and as it is,
     * and the order after it in either list (its interval and whether it comes first depend on it). The others' facts are the
     * same objects in both lists, since orders are replaced, not changed, when an event moves them.
     */
    static Set<OrderFact> movedWith(String orderId, List<OrderFact> was, List<OrderFact> is) {
        Set<OrderFact> moved = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (List<OrderFact> counted : List.of(was, is)) {
            for (int i = 0; i < counted.size(); i++) {
                if (orderId.equals(counted.get(i).getOrderId())) {
                    moved.add(counted.get(i));
                    if (i + 1 < counted.size()) {
                        moved.add(counted.get(i + 1));
                    }
                    break;
                }
            }
        }
        return moved;
    }

    /** The buyer's own usual interval (the median of theirs), with at least {@code ownIntervals} of them; else null. */
    static Long ownInterval(List<OrderFact> counted, int ownIntervals) {
        if (counted.size() <= ownIntervals) {
            return null;
        }
        List<Long> intervals = new java.util.ArrayList<>();
        for (int i = 1; i < counted.size(); i++) {
            intervals.add(counted.get(i).getPaidAt() - counted.get(i - 1).getPaidAt());
        }
        return MemberFigures.median(intervals);
    }

    /**
     * The lifecycle stage now, from the buyer's rhythm ({@code interval}: their own, or the merchant's typical): lapsed when
     * the last order is over {@value #LAPSED_INTERVALS} intervals old, at risk over {@value #AT_RISK_INTERVALS}, else new after
     * one order and active after more. Null without a counted order.
     */
    static LifecycleStage stage(List<OrderFact> counted, long interval, long now) {
        if (counted.isEmpty()) {
            return null;
        }
        long since = now - counted.get(counted.size() - 1).getPaidAt();
        if (since > LAPSED_INTERVALS * interval) {
            return LifecycleStage.LAPSED;
        }
        if (since > AT_RISK_INTERVALS * interval) {
            return LifecycleStage.AT_RISK;
        }
        return counted.size() == 1 ? LifecycleStage.NEW : LifecycleStage.ACTIVE;
    }

    /**
     * When the buyer entered the stage, by event time: their last order for NEW and ACTIVE, the moment the last order grew
     * too old for AT_RISK and LAPSED. A replay (or a late order) then publishes each move with the time it really happened.
     */
    static long stageSince(List<OrderFact> counted, long interval, LifecycleStage stage) {
        long last = counted.get(counted.size() - 1).getPaidAt();
        return switch (stage) {
            case AT_RISK -> last + (long) (AT_RISK_INTERVALS * interval) + 1;
            case LAPSED -> last + (long) (LAPSED_INTERVALS * interval) + 1;
            default -> last;
        };
    }

    /** When the stage next moves with the clock alone (null: lapsed, it moves no more). */
    static Long nextStageChange(List<OrderFact> counted, long interval, long now) {
        if (counted.isEmpty()) {
            return null;
        }
        long last = counted.get(counted.size() - 1).getPaidAt();
        for (double intervals : new double[] {AT_RISK_INTERVALS, LAPSED_INTERVALS}) {
            long at = last + (long) (intervals * interval) + 1;
            if (at > now) {
                return at;
            }
        }
        return null;
    }

    /** A member's place in the membership counts; nothing for a buyer who is not a member (or was erased). */
    static Map<String, Long> membership(io.fugou.analytics.state.MemberHistory history) {
        Map<String, Long> metrics = new HashMap<>();
        if (history.getCustomerId() == null || history.getMemberSince() == null) {
            return metrics;
        }
        metrics.put(MEMBERS, 1L);
        if (history.getTier() != null) {
            metrics.put("tier." + history.getTier(), 1L);
        }
        if (history.getChannel() != null) {
            metrics.put("channel." + history.getChannel(), 1L);
        }
        if (history.getRecruitmentCode() != null) {
            metrics.put("code." + history.getRecruitmentCode(), 1L);
        }
        return metrics;
    }

    /** The day the member enrolled, counted once. */
    static Map<String, Long> enrollment(io.fugou.analytics.state.MemberHistory history, ZoneId zone) {
        return history.getMemberSince() == null ? Map.of()
                : Map.of(Instant.ofEpochMilli(history.getMemberSince()).atZone(zone).toLocalDate().toString(), 1L);
    }

    /**
     * Per campaign the buyer was assigned to, by their group and variant ({@code TREATMENT.spring10}, {@code HOLDOUT}): assigned,
     * converted (a counted order paid within {@code attribution} of the assignment), coupon issued, coupon redeemed.
     */
    static Map<String, Map<String, Long>> campaigns(io.fugou.analytics.state.MemberHistory history, List<OrderFact> counted, long attribution) {
        Map<String, Map<String, Long>> figures = new HashMap<>();
        for (io.fugou.analytics.state.CampaignTouch touch : history.getCampaigns()) {
            String arm = touch.getAssignmentGroup() + (touch.getVariant() == null || !"TREATMENT".equals(touch.getAssignmentGroup()) ? ""
                    : "." + touch.getVariant());
            Map<String, Long> metrics = new HashMap<>();
            metrics.put("assigned." + arm, 1L);
            boolean converted = counted.stream().anyMatch(order -> order.getPaidAt() >= touch.getAssignedAt()
                    && order.getPaidAt() < touch.getAssignedAt() + attribution);
            if (converted) {
                metrics.put("converted." + arm, 1L);
            }
            if (touch.getCouponIssued()) {
                metrics.put("coupons." + arm, 1L);
            }
            if (touch.getCouponRedeemed()) {
                metrics.put("redeemed." + arm, 1L);
            }
            figures.put(CAMPAIGN + touch.getCampaignId(), metrics);
        }
        return figures;
    }

    /** The difference {@code after - before}, metric by metric, without the zeros. */
    static Map<String, Long> difference(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> moved = new HashMap<>();
        after.forEach((metric, amount) -> {
            long by = amount - before.getOrDefault(metric, 0L);
            if (by != 0) {
                moved.put(metric, by);
            }
        });
        before.forEach((metric, amount) -> {
            if (!after.containsKey(metric) && amount != 0) {
                moved.put(metric, -amount);
            }
        });
        return moved;
    }
}
