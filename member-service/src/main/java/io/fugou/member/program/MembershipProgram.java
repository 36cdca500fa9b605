package io.fugou.member.program;

import io.fugou.events.common.EnrollmentChannel;
import io.fugou.platform.money.Currencies;
import io.fugou.platform.web.InvalidFieldException;
import java.math.BigInteger;
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
 * @param paidPlans           paid memberships (like 88VIP or JD PLUS) bought by their SKU or started over the API
 */
public record MembershipProgram(String timeZone, List<Tier> tiers, AutoEnrollment autoEnrollment, Growth growth,
                                QualificationPeriod qualificationPeriod, List<PaidPlan> paidPlans) {

    private static final String CODE_PATTERN = "[A-Za-z0-9_-]{1,40}";

    /** A rung of the ladder: its code (in events and the API), its name for people, the growth score that reaches it, its benefits. */
    public record Tier(String code, String name, Long threshold, Benefits benefits) {

        public Tier {
            benefits = benefits == null ? Benefits.NONE : benefits;
        }
    }

    /**
     * What a tier or a paid plan gives (会员权益): a discount ({@code discountPercent} off), a points multiplier (percent, 100 is
     * none), free or priority shipping, dedicated service, early access to new products, a birthday gift (what the shop
     * gives), and monthly quotas of a benefit the shop checks and consumes over the API (1 free service a month for
     * regular members, 2 for silver, 3 for gold).
     */
    public record Benefits(Integer discountPercent, Integer pointsMultiplierPercent, Boolean freeShipping, Boolean priorityShipping,
                           Boolean dedicatedService, Boolean earlyAccess, String birthdayGift, List<Quota> monthlyQuotas) {

        public static final Benefits NONE = new Benefits(null, null, null, null, null, null, null, null);

        public Benefits {
            discountPercent = discountPercent == null ? 0 : discountPercent;
            pointsMultiplierPercent = pointsMultiplierPercent == null ? 100 : pointsMultiplierPercent;
            freeShipping = freeShipping != null && freeShipping;
            priorityShipping = priorityShipping != null && priorityShipping;
            dedicatedService = dedicatedService != null && dedicatedService;
            earlyAccess = earlyAccess != null && earlyAccess;
            monthlyQuotas = monthlyQuotas == null ? List.of() : List.copyOf(monthlyQuotas);
        }

        /** Both together, the better of each (a paid plan's benefits on top of a tier's). */
        public Benefits with(Benefits other) {
            java.util.Map<String, Integer> quotas = new java.util.LinkedHashMap<>();
            for (Quota quota : monthlyQuotas) {
                quotas.merge(quota.benefit(), quota.perMonth(), Math::max);
            }
            for (Quota quota : other.monthlyQuotas()) {
                quotas.merge(quota.benefit(), quota.perMonth(), Math::max);
            }
            return new Benefits(Math.max(discountPercent, other.discountPercent()), Math.max(pointsMultiplierPercent, other.pointsMultiplierPercent()),
                    freeShipping || other.freeShipping(), priorityShipping || other.priorityShipping(), dedicatedService || other.dedicatedService(),
                    earlyAccess || other.earlyAccess(), birthdayGift != null ? birthdayGift : other.birthdayGift(),
                    quotas.entrySet().stream().map(entry -> new Quota(entry.getKey(), entry.getValue())).toList());
        }

        /** How many of a benefit a month, 0 when none. */
        public int perMonth(String benefit) {
            return monthlyQuotas.stream().filter(quota -> quota.benefit().equals(benefit)).mapToInt(Quota::perMonth).findFirst().orElse(0);
        }

        void validate(String at) {
            if (discountPercent < 0 || discountPercent > 100) {
                throw new InvalidFieldException(at + ".discountPercent", "must be the percent off, 0 to 100");
            }
            if (pointsMultiplierPercent < 100 || pointsMultiplierPercent > 1000) {
                throw new InvalidFieldException(at + ".pointsMultiplierPercent", "must be 100 (none) to 1000 (ten times)");
            }
            Set<String> benefits = new HashSet<>();
            for (int i = 0; i < monthlyQuotas.size(); i++) {
                Quota quota = monthlyQuotas.get(i);
                String quotaAt = at + ".monthlyQuotas[" + i + "]";
                if (quota == null || quota.benefit() == null || !quota.benefit().matches(CODE_PATTERN)) {
                    throw new InvalidFieldException(quotaAt + ".benefit", "must name the benefit in 1 to 40 letters, digits, '-' or '_'");
                }
                if (!benefits.add(quota.benefit())) {
                    throw new InvalidFieldException(quotaAt + ".benefit", "'" + quota.benefit() + "' is given twice");
                }
                if (quota.perMonth() == null || quota.perMonth() < 1) {
                    throw new InvalidFieldException(quotaAt + ".perMonth", "must be 1 or more");
                }
            }
        }
    }

    /**
     * A paid membership plan: bought as {@code sku} (one unit per term), for {@code price}, for {@code termMonths} months;
     * buying it again while it runs extends it from its end. Its benefits add to the member's tier's.
     */
    public record PaidPlan(String planId, String name, String sku, PlanPrice price, Integer termMonths, Benefits benefits) {

        public PaidPlan {
            benefits = benefits == null ? Benefits.NONE : benefits;
        }
    }

    public record PlanPrice(String currency, Long amountMinor) {
    }

    /** {@code benefit}: the shop's name for it ("free-service"); {@code perMonth}: how many a member may use each month. */
    public record Quota(String benefit, Integer perMonth) {
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
        tiers = tiers == null || tiers.isEmpty() ? List.of(new Tier("regular", "Regular", 0L, null)) : List.copyOf(tiers);
        autoEnrollment = autoEnrollment == null ? new AutoEnrollment(AutoEnrollmentMode.OFF, List.of()) : autoEnrollment;
        growth = growth == null ? new Growth(null, null, null, null) : growth;
        qualificationPeriod = qualificationPeriod == null ? QualificationPeriod.YEAR : qualificationPeriod;
        paidPlans = paidPlans == null ? List.of() : List.copyOf(paidPlans);
    }

    /** The plan of that id, or null. */
    public PaidPlan plan(String planId) {
        return paidPlans.stream().filter(plan -> plan.planId().equals(planId)).findFirst().orElse(null);
    }

    /** The plan sold as that SKU, or null. */
    public PaidPlan planSoldAs(String sku) {
        return paidPlans.stream().filter(plan -> plan.sku().equals(sku)).findFirst().orElse(null);
    }

    /** A plan's benefits (none for a plan no longer offered: what was bought keeps running, without them). */
    public Benefits planBenefits(String planId) {
        PaidPlan plan = plan(planId);
        return plan == null ? Benefits.NONE : plan.benefits();
    }

    public static MembershipProgram defaults() {
        return new MembershipProgram(null, null, null, null, null, null);
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

    /** A tier's benefits (none for a tier no longer on the ladder). */
    public Benefits benefitsOf(String tier) {
        return tiers.stream().filter(candidate -> candidate.code().equals(tier)).findFirst().map(Tier::benefits).orElse(Benefits.NONE);
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
        // Region ids only: PostgreSQL reads an offset such as '+08:00' as a POSIX zone, west of Greenwich, and would count days wrong.
        if (timeZone == null || !ZoneId.getAvailableZoneIds().contains(timeZone)) {
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
        for (int i = 0; i < tiers.size(); i++) {
            tiers.get(i).benefits().validate("tiers[" + i + "].benefits");
        }
        List<Tier> named = tiers.stream()
                .map(tier -> tier.name() == null || tier.name().isBlank() ? new Tier(tier.code(), tier.code(), tier.threshold(), tier.benefits()) : tier)
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
        Set<String> planIds = new HashSet<>();
        Set<String> skus = new HashSet<>();
        for (int i = 0; i < paidPlans.size(); i++) {
            PaidPlan plan = paidPlans.get(i);
            String at = "paidPlans[" + i + "]";
            if (plan == null || plan.planId() == null || !plan.planId().matches(CODE_PATTERN) || !planIds.add(plan.planId())) {
                throw new InvalidFieldException(at + ".planId", "must be 1 to 40 letters, digits, '-' or '_', one per plan");
            }
            if (plan.sku() == null || plan.sku().isBlank() || !skus.add(plan.sku())) {
                throw new InvalidFieldException(at + ".sku", "must be the SKU the shop sells the plan as, one per plan");
            }
            if (plan.price() == null || !Currencies.isIso4217(plan.price().currency())) {
                throw new InvalidFieldException(at + ".price.currency", "must be an ISO-4217 currency code such as CNY");
            }
            if (plan.price().amountMinor() == null || plan.price().amountMinor() <= 0) {
                throw new InvalidFieldException(at + ".price.amountMinor", "must be the price of a term in minor units, above 0");
            }
            if (plan.termMonths() == null || plan.termMonths() < 1 || plan.termMonths() > 120) {
                throw new InvalidFieldException(at + ".termMonths", "must be 1 to 120 months");
            }
            plan.benefits().validate(at + ".benefits");
        }
        List<PaidPlan> plans = paidPlans.stream()
                .map(plan -> plan.name() == null || plan.name().isBlank()
                        ? new PaidPlan(plan.planId(), plan.planId(), plan.sku(), plan.price(), plan.termMonths(), plan.benefits()) : plan)
                .toList();
        return new MembershipProgram(timeZone, named, autoEnrollment, growth, qualificationPeriod, plans);
    }
}
