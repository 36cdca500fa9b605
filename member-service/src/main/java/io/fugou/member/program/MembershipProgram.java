package io.fugou.member.program;

import io.fugou.events.common.EnrollmentChannel;
import io.fugou.platform.money.Currencies;
import io.fugou.platform.web.InvalidFieldException;
import java.math.BigInteger;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Currency;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * How a merchant runs membership: the zone its days are counted in, its tier ladder (the first tier is
 * where every member starts) and who becomes a member by buying. Versioned ({@link ProgramVersion}):
 * an order is judged by the version in force at its own time, so a replay enrolls the same buyers.
 *
 * @param timeZone            the zone the merchant's days are counted in (enrollments per day, qualification periods)
 * @param tiers               the ladder, lowest first; the first tier's threshold is 0
 * @param autoEnrollment      who becomes a member by paying an order
 * @param growth              what builds the growth score (会员成长值) that tiers are reached by, and over how long
 * @param qualificationPeriod a member goes down a tier only when a period ends, if the score then is below it
 */
public record MembershipProgram(String timeZone, List<Tier> tiers, AutoEnrollment autoEnrollment, Growth growth,
                                QualificationPeriod qualificationPeriod) {

    private static final String CODE_PATTERN = "[A-Za-z0-9_-]{1,40}";

    /** A rung of the ladder: its code (in events and the API), its name for people, and the growth score that reaches it. */
    public record Tier(String code, String name, Long threshold) {
    }

    public enum AutoEnrollmentMode {
        /** Buyers join only when they ask (the shop's sign-up, a poster, a code). */
        OFF,
        /** 购买商品即可成为会员: any paid order makes the buyer a member. */
        ANY_PAID_ORDER,
        /** 满额入会: a paid order of at least the amount set for its currency makes the buyer a member. */
        MINIMUM_SPEND
    }

    /** {@code minimumSpend}: per currency, what one order must total (after discounts, as paid) under MINIMUM_SPEND. */
    public record AutoEnrollment(AutoEnrollmentMode mode, List<MinimumSpend> minimumSpend) {

        public AutoEnrollment {
            mode = mode == null ? AutoEnrollmentMode.OFF : mode;
            minimumSpend = minimumSpend == null ? List.of() : List.copyOf(minimumSpend);
        }
    }

    public record MinimumSpend(String currency, Long amountMinor) {
    }

    /**
     * The growth score: paid spend at {@code spendRates} (an order earns {@code growth} per {@code per} minor units of
     * its currency, rounded down; with no rates, one per major unit of any currency, 1 per yuan), and with
     * {@code fromPoints} the points earned one for one; counted over the last {@code windowDays} days. Refunds and
     * cancellations take back what their order gave.
     */
    public record Growth(List<SpendRate> spendRates, Boolean fromSpend, Boolean fromPoints, Integer windowDays) {

        public Growth {
            spendRates = spendRates == null ? List.of() : List.copyOf(spendRates);
            fromSpend = fromSpend == null ? Boolean.TRUE : fromSpend;
            fromPoints = fromPoints == null ? Boolean.FALSE : fromPoints;
            windowDays = windowDays == null ? 365 : windowDays;
        }
    }

    public record SpendRate(String currency, Long growth, Long per) {
    }

    /** When members are reviewed for going down: at the start of each month, quarter, half year or year, in the merchant's zone. */
    public enum QualificationPeriod {
        MONTH(1), QUARTER(3), HALF_YEAR(6), YEAR(12);

        private final int months;

        QualificationPeriod(int months) {
            this.months = months;
        }

        /** The first day of the period that {@code day} falls in. */
        public LocalDate startOf(LocalDate day) {
            int monthIndex = day.getMonthValue() - 1;
            return LocalDate.of(day.getYear(), monthIndex - monthIndex % months + 1, 1);
        }
    }

    public MembershipProgram {
        timeZone = timeZone == null ? "Asia/Shanghai" : timeZone;
        tiers = tiers == null || tiers.isEmpty() ? List.of(new Tier("regular", "Regular", 0L)) : List.copyOf(tiers);
        autoEnrollment = autoEnrollment == null ? new AutoEnrollment(AutoEnrollmentMode.OFF, List.of()) : autoEnrollment;
        growth = growth == null ? new Growth(null, null, null, null) : growth;
        qualificationPeriod = qualificationPeriod == null ? QualificationPeriod.YEAR : qualificationPeriod;
    }

    public static MembershipProgram defaults() {
        return new MembershipProgram(null, null, null, null, null);
    }

    /** The growth an order paying {@code paidMinor} earns (0 for a currency the rates leave out, or when spend does not count). */
    public long spendGrowth(String currency, long paidMinor) {
        if (!growth.fromSpend() || paidMinor <= 0 || !Currencies.isIso4217(currency)) {
            return 0;
        }
        if (growth.spendRates().isEmpty()) {
            int digits = Math.max(0, Currency.getInstance(currency).getDefaultFractionDigits());
            return paidMinor / BigInteger.TEN.pow(digits).longValueExact();
        }
        return growth.spendRates().stream().filter(rate -> rate.currency().equals(currency)).findFirst()
                .map(rate -> BigInteger.valueOf(paidMinor).multiply(BigInteger.valueOf(rate.growth())).divide(BigInteger.valueOf(rate.per())).longValueExact())
                .orElse(0L);
    }

    /** The highest tier a score reaches. */
    public String tierFor(long score) {
        String reached = tiers.get(0).code();
        for (Tier tier : tiers) {
            if (score >= tier.threshold()) {
                reached = tier.code();
            }
        }
        return reached;
    }

    /** A tier's place on the ladder (0 the lowest), or -1 for a tier no longer on it. */
    public int rank(String tier) {
        for (int i = 0; i < tiers.size(); i++) {
            if (tiers.get(i).code().equals(tier)) {
                return i;
            }
        }
        return -1;
    }

    /** The tier above, or null at the top. */
    public Tier above(String tier) {
        int rank = rank(tier);
        return rank + 1 < tiers.size() ? tiers.get(rank + 1) : null;
    }

    public ZoneId zone() {
        return ZoneId.of(timeZone);
    }

    /** The tier every member starts in: the lowest. */
    public String startingTier() {
        return tiers.get(0).code();
    }

    public boolean hasTier(String code) {
        return tiers.stream().anyMatch(tier -> tier.code().equals(code));
    }

    /**
     * The channel a paid order of this total enrolls its buyer through (PURCHASE or SPEND_THRESHOLD), or null when
     * it enrolls nobody (auto-enrollment off, another currency than the thresholds', or under the threshold).
     */
    public EnrollmentChannel enrollsThrough(String currency, long paidMinor) {
        return switch (autoEnrollment.mode()) {
            case OFF -> null;
            case ANY_PAID_ORDER -> EnrollmentChannel.PURCHASE;
            case MINIMUM_SPEND -> autoEnrollment.minimumSpend().stream()
                    .anyMatch(spend -> spend.currency().equals(currency) && paidMinor >= spend.amountMinor()) ? EnrollmentChannel.SPEND_THRESHOLD : null;
        };
    }

    /** This programme with every rule checked; a broken one is an {@link InvalidFieldException} naming the field. */
    public MembershipProgram validated() {
        try {
            ZoneId.of(timeZone);
        } catch (DateTimeException e) {
            throw new InvalidFieldException("timeZone", "must be a time zone id such as Asia/Shanghai, not '" + timeZone + "'");
        }
        Set<String> codes = new HashSet<>();
        for (int i = 0; i < tiers.size(); i++) {
            Tier tier = tiers.get(i);
            String at = "tiers[" + i + "]";
            if (tier == null || tier.code() == null || !tier.code().matches(CODE_PATTERN)) {
                throw new InvalidFieldException(at + ".code", "must be 1 to 40 letters, digits, '-' or '_'");
            }
            if (!codes.add(tier.code())) {
                throw new InvalidFieldException(at + ".code", "'" + tier.code() + "' is on the ladder twice");
            }
            if (tier.threshold() == null || tier.threshold() < 0) {
                throw new InvalidFieldException(at + ".threshold", "must be the growth score that reaches the tier, 0 or more");
            }
            if (i == 0 && tier.threshold() != 0) {
                throw new InvalidFieldException(at + ".threshold", "must be 0: the first tier is where every member starts");
            }
            if (i > 0 && tier.threshold() <= tiers.get(i - 1).threshold()) {
                throw new InvalidFieldException(at + ".threshold", "must be above the tier below it (" + tiers.get(i - 1).threshold()
                        + "): the ladder goes lowest first");
            }
        }
        List<Tier> named = tiers.stream().map(tier -> tier.name() == null || tier.name().isBlank() ? new Tier(tier.code(), tier.code(), tier.threshold()) : tier)
                .toList();
        if (autoEnrollment.mode() == AutoEnrollmentMode.MINIMUM_SPEND && autoEnrollment.minimumSpend().isEmpty()) {
            throw new InvalidFieldException("autoEnrollment.minimumSpend", "must give the amount per currency when the mode is MINIMUM_SPEND");
        }
        Set<String> currencies = new HashSet<>();
        for (int i = 0; i < autoEnrollment.minimumSpend().size(); i++) {
            MinimumSpend spend = autoEnrollment.minimumSpend().get(i);
            String at = "autoEnrollment.minimumSpend[" + i + "]";
            if (spend == null || !Currencies.isIso4217(spend.currency())) {
                throw new InvalidFieldException(at + ".currency", "must be an ISO-4217 currency code such as CNY");
            }
            if (!currencies.add(spend.currency())) {
                throw new InvalidFieldException(at + ".currency", spend.currency() + " is given twice");
            }
            if (spend.amountMinor() == null || spend.amountMinor() <= 0) {
                throw new InvalidFieldException(at + ".amountMinor", "must be the order total that enrolls, in minor units, above 0");
            }
        }
        for (int i = 0; i < growth.spendRates().size(); i++) {
            SpendRate rate = growth.spendRates().get(i);
            String at = "growth.spendRates[" + i + "]";
            if (rate == null || !Currencies.isIso4217(rate.currency())) {
                throw new InvalidFieldException(at + ".currency", "must be an ISO-4217 currency code such as CNY");
            }
            if (rate.growth() == null || rate.growth() <= 0) {
                throw new InvalidFieldException(at + ".growth", "must be the growth earned per 'per' minor units, above 0");
            }
            if (rate.per() == null || rate.per() <= 0) {
                throw new InvalidFieldException(at + ".per", "must be the minor units that earn 'growth', above 0");
            }
        }
        if (growth.windowDays() < 1 || growth.windowDays() > 3660) {
            throw new InvalidFieldException("growth.windowDays", "must be 1 to 3660 days");
        }
        return new MembershipProgram(timeZone, named, autoEnrollment, growth, qualificationPeriod);
    }
}
