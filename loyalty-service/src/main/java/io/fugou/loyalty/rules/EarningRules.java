package io.fugou.loyalty.rules;

import io.fugou.platform.money.Currencies;
import io.fugou.platform.web.InvalidFieldException;
import java.math.RoundingMode;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.ZoneId;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A merchant's points programme as one version of it: how orders earn and when points become
 * available. Multipliers are whole percents (150 means ×1.5) so the arithmetic is exact; see
 * {@link Scoring} for how they combine and where rounding happens.
 *
 * @param timeZone            the zone the merchant's days are counted in (member days, per-day caps, the return window)
 * @param baseRates           points per amount paid, per currency; an order in a currency not listed earns nothing
 * @param rounding            how the order's exact points are rounded to whole points, once per order
 * @param tierMultipliers     by the member's tier at the order's time
 * @param memberDays          会员日: a weekday or a day of the month, in {@code timeZone}; the largest that matches applies
 * @param categoryMultipliers by a line's category: the longest listed category that is the line's or a parent of it applies
 * @param caps                at most this many points per order and per member per day; null means no cap
 * @param returnWindowDays    earned points stay pending until the end of this many whole days after payment (or receipt)
 * @param returnWindowFrom    PAYMENT: the window counts from payment, and a receipt confirmed later only moves its end later;
 *                            RECEIPT: it counts from the first confirmed receipt ({@code OrderFulfilled})
 * @param receiptWaitDays     with RECEIPT, how long after payment points wait for a receipt before the window counts from
 *                            the end of that wait anyway (a shop's automatic confirmation, 自动确认收货)
 * @param refundShortfall     what a refund does when the points it takes back were already spent
 * @param pointsExpireAfterDays available points expire at the end of this many whole days after they became available; null: never
 * @param expiringSoonDays    how many days ahead members are told their points expire ({@code PointsExpiringSoon})
 * @param reservationMinutes  how long a redemption holds points before it lapses unless confirmed
 * @param interactions        what each kind of interaction the shop posts earns (a review, a completed profile, a sign-in), with its caps
 * @param bundles             prepaid bundles: SKUs that, bought, store units of another SKU to draw down later
 * @param cashRates           what points are worth as cash off an order (抵扣现金), per currency; none listed: no cash redemption
 */
public record EarningRules(String timeZone, List<BaseRate> baseRates, Rounding rounding, List<TierMultiplier> tierMultipliers,
                           List<MemberDay> memberDays, List<CategoryMultiplier> categoryMultipliers, Caps caps,
                           Integer returnWindowDays, RefundShortfall refundShortfall, Integer pointsExpireAfterDays,
                           Integer expiringSoonDays, Integer reservationMinutes, List<CashRate> cashRates,
                           List<InteractionRule> interactions, List<BundleRule> bundles, WindowStart returnWindowFrom,
                           Integer receiptWaitDays) {

    /** {@code points} for every {@code per} minor units paid in {@code currency}: 1 per 100 is one point per yuan. */
    public record BaseRate(String currency, Long points, Long per) {
    }

    public record TierMultiplier(String tier, Integer percent) {
    }

    /**
     * A kind of interaction and what it earns, at most {@code maxPerDay} times a day (the merchant's day) and
     * {@code maxPerMember} times ever per member (1 for a completed profile); null means no such cap.
     */
    public record InteractionRule(String kind, Long points, Integer maxPerDay, Integer maxPerMember) {
    }

    /**
     * A prepaid bundle: buying one unit of {@code sku} stores {@code units} units of {@code coversSku} (101 bottles of
     * beer bought at once), drawn down later; unused units lapse {@code expiresAfterDays} days after (null: never).
     */
    public record BundleRule(String sku, String coversSku, Integer units, Integer expiresAfterDays) {
    }

    /** {@code points} points take {@code worthMinor} minor units of {@code currency} off an order: 100 for 100 is a yuan per 100 points. */
    public record CashRate(String currency, Long points, Long worthMinor) {
    }

    /** Exactly one of {@code dayOfWeek} and {@code dayOfMonth}. A day of the month a month lacks (31) does not occur in it. */
    public record MemberDay(DayOfWeek dayOfWeek, Integer dayOfMonth, Integer percent) {
    }

    /** A category path as the shop sends it ({@code drinks/beer}); it covers its sub-categories ({@code drinks/beer/ipa}). */
    public record CategoryMultiplier(String category, Integer percent) {
    }

    public record Caps(Long perOrder, Long perMemberPerDay) {
        static final Caps NONE = new Caps(null, null);
    }

    public enum Rounding {
        DOWN(RoundingMode.DOWN), HALF_UP(RoundingMode.HALF_UP), UP(RoundingMode.UP);

        private final RoundingMode mode;

        Rounding(RoundingMode mode) {
            this.mode = mode;
        }

        public RoundingMode mode() {
            return mode;
        }
    }

    /** What the return window counts from. */
    public enum WindowStart { PAYMENT, RECEIPT }

    public enum RefundShortfall {
        /** The balance may go below zero; the member earns it back before spending again. */
        ALLOW_NEGATIVE,
        /** Take what is available and record the rest as the reversal's shortfall; the balance stays at zero or above. */
        TAKE_AVAILABLE
    }

    private static final int MAX_PERCENT = 10_000;

    /** What every field left out means; also the programme of a merchant who has configured none. */
    public EarningRules {
        timeZone = timeZone == null ? "Asia/Shanghai" : timeZone;
        baseRates = baseRates == null ? List.of(new BaseRate("CNY", 1L, 100L)) : List.copyOf(baseRates);
        rounding = rounding == null ? Rounding.DOWN : rounding;
        tierMultipliers = tierMultipliers == null ? List.of() : List.copyOf(tierMultipliers);
        memberDays = memberDays == null ? List.of() : List.copyOf(memberDays);
        categoryMultipliers = categoryMultipliers == null ? List.of() : List.copyOf(categoryMultipliers);
        caps = caps == null ? Caps.NONE : caps;
        returnWindowDays = returnWindowDays == null ? 7 : returnWindowDays;
        refundShortfall = refundShortfall == null ? RefundShortfall.TAKE_AVAILABLE : refundShortfall;
        expiringSoonDays = expiringSoonDays == null ? 30 : expiringSoonDays;
        reservationMinutes = reservationMinutes == null ? 15 : reservationMinutes;
        cashRates = cashRates == null ? List.of() : List.copyOf(cashRates);
        interactions = interactions == null ? List.of() : List.copyOf(interactions);
        bundles = bundles == null ? List.of() : List.copyOf(bundles);
        returnWindowFrom = returnWindowFrom == null ? WindowStart.PAYMENT : returnWindowFrom;
        receiptWaitDays = receiptWaitDays == null ? 30 : receiptWaitDays;
    }

    /** The bundle a SKU is, or null. */
    public BundleRule bundle(String sku) {
        return bundles.stream().filter(rule -> rule.sku().equals(sku)).findFirst().orElse(null);
    }

    /** The rule of an interaction kind, or null when the merchant gives no points for it. */
    public InteractionRule interaction(String kind) {
        return interactions.stream().filter(rule -> rule.kind().equals(kind)).findFirst().orElse(null);
    }

    /** One point per yuan, a seven-day return window (七天无理由退货), no multipliers or caps, points that never expire. */
    public static EarningRules defaults() {
        return new EarningRules(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    public ZoneId zone() {
        return ZoneId.of(timeZone);
    }

    /** Refuses a programme that cannot be applied, naming the field at fault. */
    public EarningRules validated() {
        try {
            ZoneId.of(timeZone);
        } catch (DateTimeException e) {
            throw new InvalidFieldException("timeZone", "must be a time zone id such as Asia/Shanghai, not '" + timeZone + "'");
        }
        Set<String> currencies = new HashSet<>();
        for (int i = 0; i < baseRates.size(); i++) {
            BaseRate rate = baseRates.get(i);
            String at = "baseRates[" + i + "]";
            if (rate == null || rate.currency() == null || !Currencies.isIso4217(rate.currency())) {
                throw new InvalidFieldException(at + ".currency", "must be an ISO-4217 currency code such as CNY");
            }
            if (!currencies.add(rate.currency())) {
                throw new InvalidFieldException(at + ".currency", rate.currency() + " has a rate already");
            }
            if (rate.points() == null || rate.points() < 0 || rate.points() > 1_000_000) {
                throw new InvalidFieldException(at + ".points", "must be a whole number of points from 0 to 1000000");
            }
            if (rate.per() == null || rate.per() < 1) {
                throw new InvalidFieldException(at + ".per", "must be a positive amount in minor units (100 is one yuan)");
            }
        }
        Set<String> tiers = new HashSet<>();
        for (int i = 0; i < tierMultipliers.size(); i++) {
            TierMultiplier tier = tierMultipliers.get(i);
            if (tier == null || tier.tier() == null || tier.tier().isBlank() || !tiers.add(tier.tier())) {
                throw new InvalidFieldException("tierMultipliers[" + i + "].tier", "must name a tier, each once");
            }
            checkPercent("tierMultipliers[" + i + "].percent", tier.percent());
        }
        for (int i = 0; i < memberDays.size(); i++) {
            MemberDay day = memberDays.get(i);
            String at = "memberDays[" + i + "]";
            if (day == null || (day.dayOfWeek() == null) == (day.dayOfMonth() == null)) {
                throw new InvalidFieldException(at, "must give either dayOfWeek (MONDAY...SUNDAY) or dayOfMonth (1-31)");
            }
            if (day.dayOfMonth() != null && (day.dayOfMonth() < 1 || day.dayOfMonth() > 31)) {
                throw new InvalidFieldException(at + ".dayOfMonth", "must be from 1 to 31");
            }
            checkPercent(at + ".percent", day.percent());
        }
        Set<String> categories = new HashSet<>();
        for (int i = 0; i < categoryMultipliers.size(); i++) {
            CategoryMultiplier category = categoryMultipliers.get(i);
            if (category == null || category.category() == null || category.category().isBlank() || !categories.add(category.category())) {
                throw new InvalidFieldException("categoryMultipliers[" + i + "].category", "must name a category, each once");
            }
            checkPercent("categoryMultipliers[" + i + "].percent", category.percent());
        }
        if (caps.perOrder() != null && caps.perOrder() < 0) {
            throw new InvalidFieldException("caps.perOrder", "must not be negative (leave it out for no cap)");
        }
        if (caps.perMemberPerDay() != null && caps.perMemberPerDay() < 0) {
            throw new InvalidFieldException("caps.perMemberPerDay", "must not be negative (leave it out for no cap)");
        }
        if (returnWindowDays < 0 || returnWindowDays > 365) {
            throw new InvalidFieldException("returnWindowDays", "must be from 0 (available at once) to 365 days");
        }
        if (receiptWaitDays < 1 || receiptWaitDays > 365) {
            throw new InvalidFieldException("receiptWaitDays", "must be from 1 to 365 days");
        }
        if (pointsExpireAfterDays != null && (pointsExpireAfterDays < 1 || pointsExpireAfterDays > 3660)) {
            throw new InvalidFieldException("pointsExpireAfterDays", "must be from 1 to 3660 days (leave it out for points that never expire)");
        }
        if (expiringSoonDays < 1 || expiringSoonDays > 365) {
            throw new InvalidFieldException("expiringSoonDays", "must be from 1 to 365 days");
        }
        if (reservationMinutes < 1 || reservationMinutes > 7 * 24 * 60) {
            throw new InvalidFieldException("reservationMinutes", "must be from 1 minute to 7 days");
        }
        Set<String> kinds = new HashSet<>();
        for (int i = 0; i < interactions.size(); i++) {
            InteractionRule rule = interactions.get(i);
            String at = "interactions[" + i + "]";
            if (rule == null || rule.kind() == null || !rule.kind().matches("[a-z0-9][a-z0-9-]{0,49}") || !kinds.add(rule.kind())) {
                throw new InvalidFieldException(at + ".kind", "must name the kind in lower case (review, sign-in...), each once");
            }
            if (rule.points() == null || rule.points() < 1 || rule.points() > 1_000_000) {
                throw new InvalidFieldException(at + ".points", "must be from 1 to 1000000 points");
            }
            if (rule.maxPerDay() != null && rule.maxPerDay() < 1) {
                throw new InvalidFieldException(at + ".maxPerDay", "must be at least 1 (leave it out for no daily cap)");
            }
            if (rule.maxPerMember() != null && rule.maxPerMember() < 1) {
                throw new InvalidFieldException(at + ".maxPerMember", "must be at least 1 (leave it out for no cap)");
            }
        }
        Set<String> bundleSkus = new HashSet<>();
        for (int i = 0; i < bundles.size(); i++) {
            BundleRule bundle = bundles.get(i);
            String at = "bundles[" + i + "]";
            if (bundle == null || bundle.sku() == null || bundle.sku().isBlank() || !bundleSkus.add(bundle.sku())) {
                throw new InvalidFieldException(at + ".sku", "must name the bundle's SKU, each once");
            }
            if (bundle.coversSku() == null || bundle.coversSku().isBlank() || bundle.coversSku().equals(bundle.sku())) {
                throw new InvalidFieldException(at + ".coversSku", "must name the SKU the bundle stores units of (not the bundle itself)");
            }
            if (bundle.units() == null || bundle.units() < 1 || bundle.units() > 100_000) {
                throw new InvalidFieldException(at + ".units", "must be from 1 to 100000 units");
            }
            if (bundle.expiresAfterDays() != null && bundle.expiresAfterDays() < 1) {
                throw new InvalidFieldException(at + ".expiresAfterDays", "must be at least 1 (leave it out for units that never lapse)");
            }
        }
        Set<String> cashCurrencies = new HashSet<>();
        for (int i = 0; i < cashRates.size(); i++) {
            CashRate rate = cashRates.get(i);
            String at = "cashRates[" + i + "]";
            if (rate == null || rate.currency() == null || !Currencies.isIso4217(rate.currency()) || !cashCurrencies.add(rate.currency())) {
                throw new InvalidFieldException(at + ".currency", "must be an ISO-4217 currency code such as CNY, each once");
            }
            if (rate.points() == null || rate.points() < 1) {
                throw new InvalidFieldException(at + ".points", "must be a positive number of points");
            }
            if (rate.worthMinor() == null || rate.worthMinor() < 1) {
                throw new InvalidFieldException(at + ".worthMinor", "must be a positive amount in minor units");
            }
        }
        return this;
    }

    private static void checkPercent(String field, Integer percent) {
        if (percent == null || percent < 0 || percent > MAX_PERCENT) {
            throw new InvalidFieldException(field, "must be a whole percent from 0 to " + MAX_PERCENT + " (150 means ×1.5)");
        }
    }
}
