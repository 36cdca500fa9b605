package io.fugou.loyalty.rules;

import io.fugou.platform.catalog.Categories;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Scores an order by one version of a merchant's rules, exactly: each line's points are
 * {@code paid × points/per × tier% × memberDay% × category%}, kept as a fraction; the order's points are
 * their sum rounded once by the rules' rounding (so ten lines of 0.5 points earn 5, not 0), then capped
 * per order. The points are then shared over the lines in proportion to what each earned (largest
 * remainder), so a refund of one line takes back what that line earned and all lines add up to the order.
 */
public final class Scoring {

    private static final BigInteger HUNDRED_CUBED = BigInteger.valueOf(1_000_000);

    private Scoring() {
    }

    /** A line to score: what was paid for it (minor units, after every discount) and its category. */
    public record Line(String lineKey, String sku, String category, int quantity, long paidMinor) {
    }

    public record Order(String currency, Instant occurredAt, String tier, List<Line> lines) {
    }

    /**
     * The order's points before the per-member daily cap, the rules that contributed and what each line weighs
     * in the sharing; {@link #linePoints} shares any final figure (after that cap) over the lines.
     */
    public record Score(long points, List<String> ruleIds, List<BigInteger> lineWeights, LocalDate day) {

        public List<Long> linePoints(long finalPoints) {
            return share(finalPoints, lineWeights);
        }
    }

    public static Score score(RuleVersion version, Order order) {
        EarningRules rules = version.rules();
        LocalDate day = order.occurredAt().atZone(rules.zone()).toLocalDate();
        List<String> ruleIds = new ArrayList<>();
        ruleIds.add("rules-v" + version.version());
        EarningRules.BaseRate rate = rules.baseRates().stream().filter(r -> r.currency().equals(order.currency())).findFirst().orElse(null);
        if (rate == null || rate.points() == 0) {
            return new Score(0, ruleIds, order.lines().stream().map(line -> BigInteger.ZERO).toList(), day);
        }
        ruleIds.add("base-rate:" + rate.currency());
        int tierPercent = 100;
        if (order.tier() != null) {
            for (EarningRules.TierMultiplier tier : rules.tierMultipliers()) {
                if (tier.tier().equals(order.tier())) {
                    tierPercent = tier.percent();
                    ruleIds.add("tier:" + tier.tier());
                }
            }
        }
        EarningRules.MemberDay memberDay = rules.memberDays().stream()
                .filter(d -> d.dayOfWeek() == day.getDayOfWeek() || (d.dayOfMonth() != null && d.dayOfMonth() == day.getDayOfMonth()))
                .max(Comparator.comparingInt(EarningRules.MemberDay::percent)).orElse(null);
        int dayPercent = 100;
        if (memberDay != null) {
            dayPercent = memberDay.percent();
            ruleIds.add("member-day:" + (memberDay.dayOfWeek() != null ? memberDay.dayOfWeek() : "day-" + memberDay.dayOfMonth()));
        }
        BigInteger common = BigInteger.valueOf(rate.points()).multiply(BigInteger.valueOf(tierPercent)).multiply(BigInteger.valueOf(dayPercent));
        List<BigInteger> weights = new ArrayList<>();
        for (Line line : order.lines()) {
            EarningRules.CategoryMultiplier category = categoryOf(rules, line.category());
            int categoryPercent = 100;
            if (category != null) {
                categoryPercent = category.percent();
                String id = "category:" + category.category();
                if (!ruleIds.contains(id)) {
                    ruleIds.add(id);
                }
            }
            weights.add(BigInteger.valueOf(Math.max(0, line.paidMinor())).multiply(common).multiply(BigInteger.valueOf(categoryPercent)));
        }
        BigInteger sum = weights.stream().reduce(BigInteger.ZERO, BigInteger::add);
        BigInteger denominator = BigInteger.valueOf(rate.per()).multiply(HUNDRED_CUBED);
        long points = new BigDecimal(sum).divide(new BigDecimal(denominator), 0, rules.rounding().mode()).longValueExact();
        Long perOrder = rules.caps().perOrder();
        if (perOrder != null && points > perOrder) {
            points = perOrder;
            ruleIds.add("cap:per-order");
        }
        return new Score(points, ruleIds, weights, day);
    }

    private static EarningRules.CategoryMultiplier categoryOf(EarningRules rules, String category) {
        if (category == null) {
            return null;
        }
        return rules.categoryMultipliers().stream()
                .filter(c -> Categories.covers(c.category(), category))
                .max(Comparator.comparingInt(c -> c.category().length()))
                .orElse(null);
    }

    /** {@code amount} shared over {@code weights} in proportion, to the unit; what rounding leaves goes to the largest remainders. */
    public static List<Long> share(long amount, List<BigInteger> weights) {
        BigInteger total = weights.stream().reduce(BigInteger.ZERO, BigInteger::add);
        long[] shares = new long[weights.size()];
        BigInteger[] remainders = new BigInteger[weights.size()];
        if (total.signum() == 0) {
            // Nothing to weigh by: an even split, the first lines taking what is left.
            for (int i = 0; i < shares.length; i++) {
                shares[i] = amount / shares.length + (i < amount % shares.length ? 1 : 0);
            }
            return shares.length == 0 ? List.of() : IntStream.range(0, shares.length).mapToObj(i -> shares[i]).toList();
        }
        long given = 0;
        for (int i = 0; i < shares.length; i++) {
            BigInteger[] division = BigInteger.valueOf(amount).multiply(weights.get(i)).divideAndRemainder(total);
            shares[i] = division[0].longValueExact();
            remainders[i] = division[1];
            given += shares[i];
        }
        List<Integer> largestRemainderFirst = IntStream.range(0, shares.length).boxed()
                .sorted(Comparator.comparing((Integer i) -> remainders[i]).reversed().thenComparing(i -> i)).toList();
        for (int i = 0; given < amount; i++, given++) {
            shares[largestRemainderFirst.get(i % shares.length)]++;
        }
        return IntStream.range(0, shares.length).mapToObj(i -> shares[i]).toList();
    }
}
