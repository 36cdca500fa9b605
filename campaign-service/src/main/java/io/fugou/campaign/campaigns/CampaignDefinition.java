package io.fugou.campaign.campaigns;

import io.fugou.events.common.ConsentChannel;
import io.fugou.events.common.EnrollmentChannel;
import io.fugou.events.lifecycle.LifecycleStage;
import io.fugou.events.notifications.NotificationChannel;
import io.fugou.platform.money.Currencies;
import io.fugou.platform.web.InvalidFieldException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What a marketer configures: when it fires ({@code trigger}), for whom ({@code audience}), what a member gets
 * ({@code reward}, or per A/B {@code variants}), the share held out to measure it against ({@code holdoutPercent}),
 * when it runs ({@code schedule}) and how much it may give ({@code budget}).
 */
public record CampaignDefinition(String name, Trigger trigger, Audience audience, Reward reward, List<Variant> variants, Integer holdoutPercent,
                                 Schedule schedule, Budget budget) {

    public enum TriggerType {
        /** A buyer became a member. */
        MEMBER_ENROLLED,
        /** A buyer became a member through a member's referral: the new member and the referrer are both rewarded. */
        REFERRAL_ENROLLED,
        /** A member went up a tier ({@code toTier}: only to that one). */
        TIER_UPGRADED,
        /** A buyer's first paid order (nudge the second). */
        FIRST_ORDER,
        /** A buyer's {@code orderNumber}th paid order. */
        NTH_ORDER,
        /** A referred member's first paid order: the referrer is rewarded. */
        REFERRED_FIRST_ORDER,
        /** A paid order with a line in {@code category} (or one below it: "drinks" covers "drinks/beer"). */
        CATEGORY_BOUGHT,
        /** analytics moved the member to a lifecycle stage ({@code toStage}: AT_RISK for a win-back, LAPSED...). */
        STAGE_CHANGED,
        /** loyalty-service warned that some of the member's points expire soon. */
        POINTS_EXPIRING,
        /** Each year on the day the member joined (checked daily at 10:00 in the schedule's zone). */
        ENROLLMENT_ANNIVERSARY,
        /**
         * The member's birthday, or {@code days} days before it (0 to 60), once a year (checked daily at 10:00 in the schedule's
         * zone; a 29 February birthday falls on 28 February in other years).
         */
        BIRTHDAY,
        /**
         * Replenishment: {@code days} days (0 to 60) before the member's next order as analytics predicts it from their buying
         * rhythm (checked daily at 10:00 in the schedule's zone), once per prediction.
         */
        REPLENISHMENT,
        /** The member's last paid order is {@code days} days old today (once per such lapse). */
        NO_PURCHASE,
        /** 会员日: every member of the audience on a weekday ({@code dayOfWeek}), a day of each month ({@code dayOfMonth}) or a {@code date}. */
        MEMBER_DAY,
        /** The member viewed a product (in {@code category}, when given) and bought nothing within {@code hours}. */
        PRODUCT_VIEWED,
        /** The shop reported the member's cart abandoned, and they bought nothing within {@code hours}. */
        CART_ABANDONED
    }

    public record Trigger(TriggerType type, String toTier, Integer orderNumber, String category, LifecycleStage toStage, Integer days,
                          java.time.DayOfWeek dayOfWeek, Integer dayOfMonth, java.time.LocalDate date, Integer hours) {

        /** A trigger of that type with no narrowing detail. */
        public static Trigger on(TriggerType type) {
            return new Trigger(type, null, null, null, null, null, null, null, null, null);
        }

        /** Whether the member's buying nothing for a while after a browsing event is what fires it. */
        public boolean waitsForNoPurchase() {
            return type == TriggerType.PRODUCT_VIEWED || type == TriggerType.CART_ABANDONED;
        }

        /** Whether a member day falls on {@code day}. */
        public boolean memberDayOn(java.time.LocalDate day) {
            return (dayOfWeek != null && day.getDayOfWeek() == dayOfWeek) || (dayOfMonth != null && day.getDayOfMonth() == dayOfMonth)
                    || (date != null && day.equals(date));
        }
    }

    /**
     * Who may be rewarded: members in any of the {@code tiers}, having joined through any of the {@code channels}, consenting to
     * marketing on any of {@code consentedTo}, in any of the lifecycle {@code stages} and {@code rfmSegments} analytics computes,
     * and holding a paid plan or not ({@code paidMembers}); an empty list does not filter. Targeting every member says so:
     * {@code everyone}.
     */
    public record Audience(Boolean everyone, List<String> tiers, List<EnrollmentChannel> channels, List<ConsentChannel> consentedTo,
                           List<LifecycleStage> stages, List<String> rfmSegments, Boolean paidMembers) {

        public Audience {
            everyone = everyone != null && everyone;
            tiers = tiers == null ? List.of() : List.copyOf(tiers);
            channels = channels == null ? List.of() : List.copyOf(channels);
            consentedTo = consentedTo == null ? List.of() : List.copyOf(consentedTo);
            stages = stages == null ? List.of() : List.copyOf(stages);
            rfmSegments = rfmSegments == null ? List.of() : List.copyOf(rfmSegments);
        }

        boolean filters() {
            return !tiers.isEmpty() || !channels.isEmpty() || !consentedTo.isEmpty() || !stages.isEmpty() || !rfmSegments.isEmpty()
                    || paidMembers != null;
        }
    }

    /** A coupon, bonus points (credited by loyalty-service), a message, or several of them. */
    public record Reward(Coupon coupon, Long bonusPoints, Integer bonusPointsValidDays, Notification notification) {
    }

    /**
     * A message the merchant's sending systems deliver: on {@code channel}, from {@code templateId} with {@code parameters}.
     * Sent only to members who consented to the channel, within the merchant's contact policy.
     */
    public record Notification(NotificationChannel channel, String templateId, java.util.Map<String, String> parameters) {

        public Notification {
            parameters = parameters == null ? java.util.Map.of() : java.util.Map.copyOf(parameters);
        }
    }

    /**
     * A coupon template: exactly one of an amount off ({@code amountOffMinor} in {@code currency}), a percent off (with an
     * optional {@code maxDiscountMinor}) or free shipping; a minimum spend; valid {@code validDays} from issue or until
     * {@code validUntil}; limited to {@code categories} when given; given back when the order that used it is cancelled or
     * fully refunded if {@code returnOnRefund}. A cross-sell coupon of a CATEGORY_BOUGHT campaign may instead be limited to the
     * category the merchant's buyers most often buy next after the one bought ({@code categoryBoughtNext}, as analytics-service
     * finds it: the first that is neither the category bought nor above or below it); until analytics has seen enough next
     * orders after that category, {@code categories} apply (none: any category).
     */
    public record Coupon(String templateId, Long amountOffMinor, Integer percentOff, Long maxDiscountMinor, Boolean freeShipping, String currency,
                         Long minimumSpendMinor, Integer validDays, Instant validUntil, List<String> categories, Boolean returnOnRefund,
                         Boolean categoryBoughtNext) {

        public Coupon {
            freeShipping = freeShipping != null && freeShipping;
            categories = categories == null ? List.of() : List.copyOf(categories);
            returnOnRefund = returnOnRefund != null && returnOnRefund;
            categoryBoughtNext = categoryBoughtNext != null && categoryBoughtNext;
        }

        /** The same terms under another template id. */
        public Coupon withTemplateId(String id) {
            return new Coupon(id, amountOffMinor, percentOff, maxDiscountMinor, freeShipping, currency, minimumSpendMinor, validDays, validUntil,
                    categories, returnOnRefund, categoryBoughtNext);
        }

        /** The terms as issued: limited to {@code category}, the one bought next. */
        public Coupon limitedTo(String category) {
            return new Coupon(templateId, amountOffMinor, percentOff, maxDiscountMinor, freeShipping, currency, minimumSpendMinor, validDays,
                    validUntil, List.of(category), returnOnRefund, false);
        }
    }

    /** An A/B variant: its share of the members not held out ({@code weight}, the variants' summing to 100) and its reward. */
    public record Variant(String code, Integer weight, Reward reward) {
    }

    public record Schedule(Instant startsAt, Instant endsAt, String timeZone) {
    }

    /** At most {@code total} rewards, {@code perMember} per member (1 when left out) and {@code perDay} per local day; null: no limit. */
    public record Budget(Long total, Integer perMember, Integer perDay) {

        public Budget {
            perMember = perMember == null ? 1 : perMember;
        }

        /**
         * Whether the rewards are counted per campaign and day (for a total or a daily budget): then giving them takes the
         * campaign's lock exclusively; a budget per member alone is counted per member, and campaigns are given concurrently.
         */
        public boolean countedPerCampaign() {
            return total != null || perDay != null;
        }
    }

    public CampaignDefinition {
        holdoutPercent = holdoutPercent == null ? 0 : holdoutPercent;
        variants = variants == null ? List.of() : List.copyOf(variants);
        budget = budget == null ? new Budget(null, 1, null) : budget;
    }

    /** The variants members are assigned between: those given, or one ("default") with the campaign's reward. */
    public List<Variant> assignable() {
        return variants.isEmpty() ? List.of(new Variant("default", 100, reward)) : variants;
    }

    public ZoneId zone() {
        return ZoneId.of(schedule == null || schedule.timeZone() == null ? "Asia/Shanghai" : schedule.timeZone());
    }

    /** Checks every rule; a broken one is an {@link InvalidFieldException} naming the field. */
    public CampaignDefinition validated() {
        if (name == null || name.isBlank() || name.length() > 200) {
            throw new InvalidFieldException("name", "must name the campaign (1 to 200 characters)");
        }
        if (trigger == null || trigger.type() == null) {
            throw new InvalidFieldException("trigger.type", "must say what the campaign reacts to, one of " + List.of(TriggerType.values()));
        }
        if (trigger.toTier() != null && trigger.type() != TriggerType.TIER_UPGRADED) {
            throw new InvalidFieldException("trigger.toTier", "applies to TIER_UPGRADED only");
        }
        if ((trigger.type() == TriggerType.NTH_ORDER) != (trigger.orderNumber() != null)) {
            throw new InvalidFieldException("trigger.orderNumber", "is required by NTH_ORDER (2 or more) and applies to it only");
        }
        if (trigger.orderNumber() != null && (trigger.orderNumber() < 2 || trigger.orderNumber() > 1000)) {
            throw new InvalidFieldException("trigger.orderNumber", "must be 2 to 1000 (the first order is FIRST_ORDER)");
        }
        if (trigger.type() == TriggerType.CATEGORY_BOUGHT && (trigger.category() == null || trigger.category().isBlank())) {
            throw new InvalidFieldException("trigger.category", "is required by CATEGORY_BOUGHT");
        }
        if (trigger.category() != null && trigger.type() != TriggerType.CATEGORY_BOUGHT && trigger.type() != TriggerType.PRODUCT_VIEWED) {
            throw new InvalidFieldException("trigger.category", "applies to CATEGORY_BOUGHT and PRODUCT_VIEWED only");
        }
        if (trigger.category() != null && trigger.category().isBlank()) {
            throw new InvalidFieldException("trigger.category", "must name a category (leave it out for every category)");
        }
        if (trigger.waitsForNoPurchase() != (trigger.hours() != null)) {
            throw new InvalidFieldException("trigger.hours", "is required by PRODUCT_VIEWED and CART_ABANDONED (how long a member may take to buy "
                    + "before the nudge) and applies to them only");
        }
        if (trigger.hours() != null && (trigger.hours() < 1 || trigger.hours() > 720)) {
            throw new InvalidFieldException("trigger.hours", "must be 1 to 720");
        }
        if (trigger.type() == TriggerType.NO_PURCHASE && trigger.days() == null) {
            throw new InvalidFieldException("trigger.days", "is required by NO_PURCHASE");
        }
        if (trigger.days() != null && trigger.type() != TriggerType.NO_PURCHASE && trigger.type() != TriggerType.BIRTHDAY
                && trigger.type() != TriggerType.REPLENISHMENT) {
            throw new InvalidFieldException("trigger.days", "applies to NO_PURCHASE, BIRTHDAY and REPLENISHMENT only");
        }
        if (trigger.type() == TriggerType.NO_PURCHASE && (trigger.days() < 1 || trigger.days() > 3660)) {
            throw new InvalidFieldException("trigger.days", "must be 1 to 3660");
        }
        if ((trigger.type() == TriggerType.BIRTHDAY || trigger.type() == TriggerType.REPLENISHMENT) && trigger.days() != null
                && (trigger.days() < 0 || trigger.days() > 60)) {
            throw new InvalidFieldException("trigger.days", "must be 0 (on the day) to 60 days before it");
        }
        int memberDays = (trigger.dayOfWeek() != null ? 1 : 0) + (trigger.dayOfMonth() != null ? 1 : 0) + (trigger.date() != null ? 1 : 0);
        if ((trigger.type() == TriggerType.MEMBER_DAY) != (memberDays == 1)) {
            throw new InvalidFieldException("trigger.dayOfWeek", "MEMBER_DAY takes exactly one of dayOfWeek, dayOfMonth or date, and only it does");
        }
        if (trigger.dayOfMonth() != null && (trigger.dayOfMonth() < 1 || trigger.dayOfMonth() > 28)) {
            throw new InvalidFieldException("trigger.dayOfMonth", "must be 1 to 28, a day every month has");
        }
        if ((trigger.type() == TriggerType.STAGE_CHANGED) != (trigger.toStage() != null)) {
            throw new InvalidFieldException("trigger.toStage", "is required by STAGE_CHANGED (AT_RISK, LAPSED...) and applies to it only");
        }
        if (audience == null || (!audience.everyone() && !audience.filters())) {
            throw new InvalidFieldException("audience", "must filter (tiers, channels, consentedTo) or say everyone: true to reach every member");
        }
        if (audience.everyone() && audience.filters()) {
            throw new InvalidFieldException("audience.everyone", "cannot be true beside filters");
        }
        if (variants.isEmpty()) {
            validate(reward, "reward", trigger);
        } else {
            if (reward != null) {
                throw new InvalidFieldException("reward", "give each variant its reward, not the campaign");
            }
            Set<String> codes = new HashSet<>();
            int weights = 0;
            for (int i = 0; i < variants.size(); i++) {
                Variant variant = variants.get(i);
                String at = "variants[" + i + "]";
                if (variant == null || variant.code() == null || !variant.code().matches("[A-Za-z0-9_-]{1,40}") || !codes.add(variant.code())) {
                    throw new InvalidFieldException(at + ".code", "must be 1 to 40 letters, digits, '-' or '_', one per variant");
                }
                if (variant.weight() == null || variant.weight() < 1) {
                    throw new InvalidFieldException(at + ".weight", "must be 1 or more");
                }
                weights += variant.weight();
                validate(variant.reward(), at + ".reward", trigger);
            }
            if (weights != 100) {
                throw new InvalidFieldException("variants", "weights must sum to 100, not " + weights);
            }
        }
        if (holdoutPercent < 0 || holdoutPercent > 50) {
            throw new InvalidFieldException("holdoutPercent", "must be 0 to 50: the share that gets nothing, to measure the campaign against");
        }
        if (schedule != null) {
            if (schedule.timeZone() != null && !ZoneId.getAvailableZoneIds().contains(schedule.timeZone())) {
                throw new InvalidFieldException("schedule.timeZone", "must be a time zone id such as Asia/Shanghai");
            }
            if (schedule.startsAt() != null && schedule.endsAt() != null && !schedule.endsAt().isAfter(schedule.startsAt())) {
                throw new InvalidFieldException("schedule.endsAt", "must be after startsAt");
            }
        }
        if (budget.total() != null && budget.total() < 1) {
            throw new InvalidFieldException("budget.total", "must be 1 or more, or left out for no limit");
        }
        if (budget.perMember() != null && budget.perMember() < 1) {
            throw new InvalidFieldException("budget.perMember", "must be 1 or more (1 when left out)");
        }
        if (budget.perDay() != null && budget.perDay() < 1) {
            throw new InvalidFieldException("budget.perDay", "must be 1 or more, or left out for no limit");
        }
        return this;
    }

    private static void validate(Reward reward, String at, Trigger trigger) {
        if (reward == null || (reward.coupon() == null && reward.bonusPoints() == null && reward.notification() == null)) {
            throw new InvalidFieldException(at, "must give a coupon, bonus points, a notification, or several");
        }
        if (reward.notification() != null) {
            if (reward.notification().channel() == null || reward.notification().channel() == NotificationChannel.OTHER) {
                throw new InvalidFieldException(at + ".notification.channel", "must be SMS, APP_PUSH, WECHAT or EMAIL");
            }
            if (reward.notification().templateId() == null || !reward.notification().templateId().matches("[A-Za-z0-9_.-]{1,80}")) {
                throw new InvalidFieldException(at + ".notification.templateId", "must name the message template (1 to 80 letters, digits, '.', '-' or '_')");
            }
        }
        if (reward.bonusPoints() != null && (reward.bonusPoints() < 1 || reward.bonusPoints() > 1_000_000)) {
            throw new InvalidFieldException(at + ".bonusPoints", "must be 1 to 1,000,000");
        }
        if (reward.coupon() != null) {
            validate(reward.coupon(), at + ".coupon");
            if (reward.coupon().categoryBoughtNext() && trigger.type() != TriggerType.CATEGORY_BOUGHT) {
                throw new InvalidFieldException(at + ".coupon.categoryBoughtNext", "applies to CATEGORY_BOUGHT campaigns only: the category bought "
                        + "is what the next one is found after");
            }
        }
    }

    /** Checks a coupon template's terms; {@code c}: where it is in the request, for the field named when it is broken. */
    public static void validate(Coupon coupon, String c) {
        if (coupon.templateId() == null || !coupon.templateId().matches("[A-Za-z0-9_-]{1,60}")) {
            throw new InvalidFieldException(field(c, "templateId"), "must name the coupon template in 1 to 60 letters, digits, '-' or '_'");
        }
        int kinds = (coupon.amountOffMinor() != null ? 1 : 0) + (coupon.percentOff() != null ? 1 : 0) + (coupon.freeShipping() ? 1 : 0);
        if (kinds != 1) {
            throw new InvalidFieldException(c.isEmpty() ? "amountOffMinor" : c, "must be exactly one of amountOffMinor, percentOff or freeShipping");
        }
        if (coupon.amountOffMinor() != null && coupon.amountOffMinor() < 1) {
            throw new InvalidFieldException(field(c, "amountOffMinor"), "must be above 0");
        }
        if (coupon.percentOff() != null && (coupon.percentOff() < 1 || coupon.percentOff() > 100)) {
            throw new InvalidFieldException(field(c, "percentOff"), "must be 1 to 100");
        }
        if ((coupon.amountOffMinor() != null || coupon.maxDiscountMinor() != null || coupon.minimumSpendMinor() != null)
                && !Currencies.isIso4217(coupon.currency())) {
            throw new InvalidFieldException(field(c, "currency"), "must be an ISO-4217 currency code such as CNY for the amounts");
        }
        if ((coupon.validDays() == null) == (coupon.validUntil() == null)) {
            throw new InvalidFieldException(field(c, "validDays"), "give validDays (from issue) or validUntil, one of them");
        }
        if (coupon.validDays() != null && (coupon.validDays() < 1 || coupon.validDays() > 3660)) {
            throw new InvalidFieldException(field(c, "validDays"), "must be 1 to 3660");
        }
    }

    private static String field(String at, String name) {
        return at.isEmpty() ? name : at + "." + name;
    }
}
