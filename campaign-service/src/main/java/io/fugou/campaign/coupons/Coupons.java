package io.fugou.campaign.coupons;

import io.fugou.platform.catalog.Categories;
import io.fugou.campaign.campaigns.CampaignDefinition;
import io.fugou.events.MemberKey;
import io.fugou.events.Topics;
import io.fugou.campaign.publishing.CampaignEvents;
import io.fugou.events.campaigns.CouponExpired;
import io.fugou.events.campaigns.CouponIssued;
import io.fugou.events.campaigns.CouponRedeemed;
import io.fugou.events.campaigns.CouponReturned;
import io.fugou.events.common.Money;
import io.fugou.platform.codes.RandomCodes;
import io.fugou.platform.merchant.MerchantId;
import io.fugou.platform.pipeline.Envelopes;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Members' coupon wallets: coupons issued with a unique, unguessable code each. */
@Repository
public class Coupons {


    /** A coupon in a wallet. */
    public record Coupon(String couponId, String code, String campaignId, String templateId, Long amountOffMinor, Integer percentOff,
                         Long maxDiscountMinor, boolean freeShipping, String currency, Long minimumSpendMinor, List<String> categories,
                         Instant validFrom, Instant validUntil, String status) {
    }

    private final DatabaseClient db;
    private final CampaignEvents events;

    public Coupons(DatabaseClient db, CampaignEvents events) {
        this.db = db;
        this.events = events;
    }

    /** A coupon to issue: why ({@code fact}, unique per member), from which campaign and variant or points redemption, on what terms. */
    public record Issue(MemberKey member, String campaignId, String variant, String fact, CampaignDefinition.Coupon template, Instant at,
                        String redemptionId) {

        public String couponId() {
            return Envelopes.eventId(Topics.CAMPAIGNS, member + "/coupon/" + fact);
        }
    }

    /** Issues the coupon the member bought with points (once per redemption); its event, or nothing when issued before. */
    public Mono<CouponIssued> bought(MemberKey member, String redemptionId, CampaignDefinition.Coupon template, Instant at) {
        Issue issue = new Issue(member, null, null, "bought/" + redemptionId, template, at, redemptionId);
        return issue(List.of(issue)).flatMap(issued -> Mono.justOrEmpty(issued.get(issue.couponId())));
    }

    /**
     * Issues the coupons (in the caller's transaction, in one statement): each gets a fresh code. Returns the events of those
     * issued now, by coupon id; one issued before (the same member and fact) is left alone and has none.
     */
    public Mono<Map<String, CouponIssued>> issue(List<Issue> requested) {
        if (requested.isEmpty()) {
            return Mono.just(Map.of());
        }
        Map<String, Issue> once = new LinkedHashMap<>();
        requested.forEach(issue -> once.putIfAbsent(issue.couponId(), issue));
        List<Issue> issues = List.copyOf(once.values());
        Map<String, CouponIssued> events = new LinkedHashMap<>();
        for (Issue issue : issues) {
            CampaignDefinition.Coupon template = issue.template();
            Instant validUntil = template.validUntil() != null ? template.validUntil() : issue.at().plus(Duration.ofDays(template.validDays()));
            // 60 random bits: a code cannot be guessed from another.
            events.put(issue.couponId(), CouponIssued.newBuilder().setCouponId(issue.couponId()).setCouponCode(RandomCodes.draw(12))
                    .setCampaignId(issue.campaignId()).setTemplateId(template.templateId())
                    .setAmountOff(template.amountOffMinor() == null ? null : money(template.amountOffMinor(), template.currency()))
                    .setPercentOff(template.percentOff())
                    .setMinimumSpend(template.minimumSpendMinor() == null ? null : money(template.minimumSpendMinor(), template.currency()))
                    // The whole terms, so a shop's checkout can honour the coupon from the event alone.
                    .setMaxDiscount(template.maxDiscountMinor() == null ? null : money(template.maxDiscountMinor(), template.currency()))
                    .setFreeShipping(Boolean.TRUE.equals(template.freeShipping())).setCategories(List.copyOf(template.categories()))
                    .setValidFrom(issue.at()).setValidUntil(validUntil).setPointsRedemptionId(issue.redemptionId())
                    .build());
        }
        List<CampaignDefinition.Coupon> templates = issues.stream().map(Issue::template).toList();
        List<CouponIssued> built = List.copyOf(events.values());
        return db.sql("""
                        insert into coupon (merchant_id, coupon_id, code, customer_id, campaign_id, variant, template_id, amount_off_minor, percent_off,
                                            max_discount_minor, free_shipping, currency, minimum_spend_minor, categories, valid_from, valid_until, status,
                                            return_on_refund, points_redemption_id)
                        select u.merchant_id, u.coupon_id, u.code, u.customer_id, u.campaign_id, u.variant, u.template_id, u.amount_off, u.percent_off,
                               u.max_discount, u.free_shipping, u.currency, u.minimum_spend, string_to_array(u.categories, chr(31)), u.valid_from,
                               u.valid_until, 'ISSUED', u.return_on_refund, u.redemption_id
                        from unnest(cast(:merchants as text[]), cast(:coupons as text[]), cast(:codes as text[]), cast(:customers as text[]),
                                    cast(:campaigns as text[]), cast(:variants as text[]), cast(:templates as text[]), cast(:amountsOff as bigint[]),
                                    cast(:percentsOff as int[]), cast(:maxDiscounts as bigint[]), cast(:freeShipping as boolean[]),
                                    cast(:currencies as text[]), cast(:minimumSpends as bigint[]), cast(:categories as text[]),
                                    cast(:validFrom as timestamptz[]), cast(:validUntil as timestamptz[]), cast(:returnOnRefund as boolean[]),
                                    cast(:redemptions as text[]))
                             as u(merchant_id, coupon_id, code, customer_id, campaign_id, variant, template_id, amount_off, percent_off, max_discount,
                                  free_shipping, currency, minimum_spend, categories, valid_from, valid_until, return_on_refund, redemption_id)
                        on conflict (merchant_id, coupon_id) do nothing
                        returning coupon_id""")
                .bind("merchants", issues.stream().map(issue -> issue.member().merchantId()).toArray(String[]::new))
                .bind("coupons", built.stream().map(CouponIssued::getCouponId).toArray(String[]::new))
                .bind("codes", built.stream().map(CouponIssued::getCouponCode).toArray(String[]::new))
                .bind("customers", issues.stream().map(issue -> issue.member().customerId()).toArray(String[]::new))
                .bind("campaigns", issues.stream().map(Issue::campaignId).toArray(String[]::new))
                .bind("variants", issues.stream().map(Issue::variant).toArray(String[]::new))
                .bind("templates", templates.stream().map(CampaignDefinition.Coupon::templateId).toArray(String[]::new))
                .bind("amountsOff", templates.stream().map(CampaignDefinition.Coupon::amountOffMinor).toArray(Long[]::new))
                .bind("percentsOff", templates.stream().map(CampaignDefinition.Coupon::percentOff).toArray(Integer[]::new))
                .bind("maxDiscounts", templates.stream().map(CampaignDefinition.Coupon::maxDiscountMinor).toArray(Long[]::new))
                .bind("freeShipping", templates.stream().map(CampaignDefinition.Coupon::freeShipping).toArray(Boolean[]::new))
                .bind("currencies", templates.stream().map(CampaignDefinition.Coupon::currency).toArray(String[]::new))
                .bind("minimumSpends", templates.stream().map(CampaignDefinition.Coupon::minimumSpendMinor).toArray(Long[]::new))
                // A list per row: joined with a separator no category holds (unnest cannot take an array of arrays of differing lengths).
                .bind("categories", templates.stream().map(template -> String.join("\u001f", template.categories())).toArray(String[]::new))
                .bind("validFrom", built.stream().map(issued -> utc(issued.getValidFrom())).toArray(OffsetDateTime[]::new))
                .bind("validUntil", built.stream().map(issued -> utc(issued.getValidUntil())).toArray(OffsetDateTime[]::new))
                .bind("returnOnRefund", templates.stream().map(CampaignDefinition.Coupon::returnOnRefund).toArray(Boolean[]::new))
                .bind("redemptions", issues.stream().map(Issue::redemptionId).toArray(String[]::new))
                .map((row, meta) -> row.get("coupon_id", String.class))
                .all().collect(java.util.stream.Collectors.toSet())
                .map(inserted -> {
                    events.keySet().retainAll(inserted);
                    return events;
                });
    }

    /** A coupon code an order used, with the discount it gave. */
    public record Redemption(MemberKey member, String code, String orderId, Money discount, Instant at) {
    }

    /**
     * Marks the coupons these orders used as redeemed, once (a coupon already redeemed is left alone, one expired only if the
     * order was paid before it expired, as when the order is processed after the expiry job; a code the merchant never issued
     * is not ours to record), and publishes a {@code CouponRedeemed} for each. Codes match whatever their letter case.
     */
    public Mono<Void> redeem(List<Redemption> redemptions) {
        if (redemptions.isEmpty()) {
            return Mono.empty();
        }
        java.util.Map<String, Redemption> byCode = new java.util.HashMap<>();
        redemptions.forEach(redemption -> byCode.putIfAbsent(redemption.member().merchantId() + '\u0000' + redemption.code(), redemption));
        return db.sql("""
                        update coupon c set status = 'REDEEMED', redeemed_order_id = u.order_id, redeemed_at = u.at
                        from unnest(cast(:merchants as text[]), cast(:codes as text[]), cast(:orders as text[]), cast(:times as timestamptz[]))
                             as u(merchant_id, code, order_id, at)
                        where c.merchant_id = u.merchant_id and c.code = upper(u.code)
                          and (c.status = 'ISSUED' or (c.status = 'EXPIRED' and u.at < c.valid_until))
                        returning c.merchant_id, c.customer_id, c.coupon_id, c.code, c.campaign_id, c.redeemed_order_id, c.redeemed_at""")
                .bind("merchants", redemptions.stream().map(redemption -> redemption.member().merchantId()).toArray(String[]::new))
                .bind("codes", redemptions.stream().map(Redemption::code).toArray(String[]::new))
                .bind("orders", redemptions.stream().map(Redemption::orderId).toArray(String[]::new))
                .bind("times", redemptions.stream().map(redemption -> utc(redemption.at())).toArray(OffsetDateTime[]::new))
                .map((row, meta) -> {
                    MemberKey owner = new MemberKey(row.get("merchant_id", String.class), row.get("customer_id", String.class));
                    Redemption redemption = byCode.get(owner.merchantId() + '\u0000' + row.get("code", String.class));
                    return new CampaignEvents.Pending(owner, "redeemed/" + row.get("coupon_id", String.class),
                            row.get("redeemed_at", OffsetDateTime.class).toInstant(),
                            CouponRedeemed.newBuilder().setCouponId(row.get("coupon_id", String.class)).setCouponCode(row.get("code", String.class))
                                    .setCampaignId(row.get("campaign_id", String.class)).setOrderId(row.get("redeemed_order_id", String.class))
                                    .setDiscount(redemption.discount()).build());
                })
                .all().collectList()
                .flatMap(events::publish);
    }

    /** An order that no longer stands: cancelled, or fully refunded, at {@code at}. */
    public record Undone(MemberKey buyer, String orderId, Instant at) {
    }

    /**
     * Gives back the coupons these orders used, where the coupon's terms say so and it is still valid: usable again, each with
     * a {@code CouponReturned}. Once: a coupon given back is no longer the order's.
     */
    public Mono<Void> giveBack(List<Undone> orders) {
        if (orders.isEmpty()) {
            return Mono.empty();
        }
        return db.sql("""
                        update coupon c set status = 'ISSUED', redeemed_order_id = null, redeemed_at = null
                        from unnest(cast(:merchants as text[]), cast(:orders as text[]), cast(:times as timestamptz[])) as u(merchant_id, order_id, at)
                        where c.redeemed_order_id = u.order_id and c.status = 'REDEEMED' and c.return_on_refund and c.valid_until > u.at
                          and c.merchant_id = u.merchant_id
                        returning c.merchant_id, c.customer_id, c.coupon_id, c.code, c.campaign_id, c.valid_until, u.order_id, u.at""")
                .bind("merchants", orders.stream().map(order -> order.buyer().merchantId()).toArray(String[]::new))
                .bind("orders", orders.stream().map(Undone::orderId).toArray(String[]::new))
                .bind("times", orders.stream().map(order -> utc(order.at())).toArray(OffsetDateTime[]::new))
                .map((row, meta) -> new CampaignEvents.Pending(new MemberKey(row.get("merchant_id", String.class), row.get("customer_id", String.class)),
                        "returned/" + row.get("coupon_id", String.class) + "/" + row.get("order_id", String.class),
                        row.get("at", OffsetDateTime.class).toInstant(),
                        CouponReturned.newBuilder().setCouponId(row.get("coupon_id", String.class)).setCouponCode(row.get("code", String.class))
                                .setCampaignId(row.get("campaign_id", String.class)).setOrderId(row.get("order_id", String.class))
                                .setValidUntil(row.get("valid_until", OffsetDateTime.class).toInstant()).build()))
                .all().collectList()
                .flatMap(events::publish);
    }

    /** Coupons of the merchant whose time has run out by {@code now}: expired, each with a {@code CouponExpired}. */
    public Mono<Integer> expire(MerchantId merchant, Instant now) {
        return db.sql("""
                        update coupon set status = 'EXPIRED'
                        where merchant_id = :merchant and status = 'ISSUED' and valid_until <= :now
                        returning customer_id, coupon_id, campaign_id, valid_until""")
                .bind("merchant", merchant.value()).bind("now", utc(now))
                .map((row, meta) -> new CampaignEvents.Pending(new MemberKey(merchant.value(), row.get("customer_id", String.class)),
                        "expired/" + row.get("coupon_id", String.class), row.get("valid_until", OffsetDateTime.class).toInstant(),
                        CouponExpired.newBuilder().setCouponId(row.get("coupon_id", String.class)).setCampaignId(row.get("campaign_id", String.class)).build()))
                .all().collectList()
                .flatMap(expired -> events.publish(expired).thenReturn(expired.size()));
    }

    /** Why a coupon cannot be used for a basket; null when it can. */
    public enum Refusal { NOT_FOUND, USED, EXPIRED, NOT_YET_VALID, OTHER_CURRENCY, BELOW_MINIMUM_SPEND, NO_ELIGIBLE_CATEGORY }

    /** A basket to check a coupon against: its total before the coupon, its currency, and the categories of its lines. */
    public record Basket(long totalMinor, String currency, List<String> categories) {
    }

    /** Whether the member can use the code on the basket, and the discount it would give (0 for free shipping). */
    public record Check(String code, boolean usable, Refusal refusal, long discountMinor, boolean freeShipping) {
    }

    public Mono<Check> check(MerchantId merchant, String customerId, String code, Basket basket, Instant now) {
        return db.sql("select * from coupon where merchant_id = :merchant and customer_id = :customer and code = upper(:code)")
                .bind("merchant", merchant.value()).bind("customer", customerId).bind("code", code)
                .map((row, meta) -> {
                    Refusal refusal = null;
                    String status = row.get("status", String.class);
                    Long amountOff = row.get("amount_off_minor", Long.class);
                    Integer percentOff = row.get("percent_off", Integer.class);
                    Long maxDiscount = row.get("max_discount_minor", Long.class);
                    Long minimumSpend = row.get("minimum_spend_minor", Long.class);
                    String currency = row.get("currency", String.class);
                    List<String> categories = Arrays.asList(row.get("categories", String[].class));
                    if ("REDEEMED".equals(status)) {
                        refusal = Refusal.USED;
                    } else if ("EXPIRED".equals(status) || !row.get("valid_until", OffsetDateTime.class).toInstant().isAfter(now)) {
                        refusal = Refusal.EXPIRED;
                    } else if (row.get("valid_from", OffsetDateTime.class).toInstant().isAfter(now)) {
                        refusal = Refusal.NOT_YET_VALID;
                    } else if (currency != null && !currency.equals(basket.currency())) {
                        refusal = Refusal.OTHER_CURRENCY;
                    } else if (minimumSpend != null && basket.totalMinor() < minimumSpend) {
                        refusal = Refusal.BELOW_MINIMUM_SPEND;
                    } else if (!categories.isEmpty() && basket.categories().stream().noneMatch(category -> categories.stream()
                            .anyMatch(allowed -> Categories.covers(allowed, category)))) {
                        refusal = Refusal.NO_ELIGIBLE_CATEGORY;
                    }
                    long discount = 0;
                    if (refusal == null && amountOff != null) {
                        discount = Math.min(amountOff, basket.totalMinor());
                    } else if (refusal == null && percentOff != null) {
                        discount = basket.totalMinor() * percentOff / 100; // rounded down: never more than the percent
                        discount = maxDiscount == null ? discount : Math.min(discount, maxDiscount);
                    }
                    return new Check(code, refusal == null, refusal, discount, refusal == null && Boolean.TRUE.equals(row.get("free_shipping", Boolean.class)));
                })
                .one()
                .defaultIfEmpty(new Check(code, false, Refusal.NOT_FOUND, 0, false));
    }

    /** The member's coupons usable now: issued, not used, not expired; soonest to expire first. */
    public Flux<Coupon> usable(MerchantId merchant, String customerId, Instant now) {
        return db.sql("""
                        select * from coupon where merchant_id = :merchant and customer_id = :customer and status = 'ISSUED'
                          and valid_from <= :now and valid_until > :now
                        order by valid_until, coupon_id""")
                .bind("merchant", merchant.value()).bind("customer", customerId).bind("now", utc(now))
                .map((row, meta) -> new Coupon(row.get("coupon_id", String.class), row.get("code", String.class), row.get("campaign_id", String.class),
                        row.get("template_id", String.class), row.get("amount_off_minor", Long.class), row.get("percent_off", Integer.class),
                        row.get("max_discount_minor", Long.class), Boolean.TRUE.equals(row.get("free_shipping", Boolean.class)),
                        row.get("currency", String.class), row.get("minimum_spend_minor", Long.class),
                        Arrays.asList(row.get("categories", String[].class)), row.get("valid_from", OffsetDateTime.class).toInstant(),
                        row.get("valid_until", OffsetDateTime.class).toInstant(), row.get("status", String.class)))
                .all();
    }

    private static Money money(long minor, String currency) {
        return Money.newBuilder().setAmountMinor(minor).setCurrency(currency).build();
    }

    private static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
