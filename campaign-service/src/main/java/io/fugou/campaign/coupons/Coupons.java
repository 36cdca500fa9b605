package io.fugou.campaign.coupons;

import io.fugou.campaign.campaigns.CampaignDefinition;
import io.fugou.events.MemberKey;
import io.fugou.events.Topics;
import io.fugou.events.campaigns.CouponIssued;
import io.fugou.events.common.Money;
import io.fugou.platform.merchant.MerchantId;
import io.fugou.platform.pipeline.Envelopes;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.Parameter;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Members' coupon wallets: coupons issued with a unique, unguessable code each. */
@Repository
public class Coupons {

    /** Crockford's base-32 letters (no I, L, O or U, so a code read aloud or off a screen is not misread). */
    private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A coupon in a wallet. */
    public record Coupon(String couponId, String code, String campaignId, String templateId, Long amountOffMinor, Integer percentOff,
                         Long maxDiscountMinor, boolean freeShipping, String currency, Long minimumSpendMinor, List<String> categories,
                         Instant validFrom, Instant validUntil, String status) {
    }

    private final DatabaseClient db;

    public Coupons(DatabaseClient db) {
        this.db = db;
    }

    /** Issues a coupon of the template to the member (in the caller's transaction); returns its event. {@code fact}: why, unique per member. */
    public Mono<CouponIssued> issue(MemberKey member, String campaignId, String variant, String fact, CampaignDefinition.Coupon template, Instant at) {
        String couponId = Envelopes.eventId(Topics.CAMPAIGNS, member + "/coupon/" + fact);
        // 60 random bits: a code cannot be guessed from another.
        String code = code(12);
        Instant validUntil = template.validUntil() != null ? template.validUntil() : at.plus(Duration.ofDays(template.validDays()));
        return db.sql("""
                        insert into coupon (merchant_id, coupon_id, code, customer_id, campaign_id, variant, template_id, amount_off_minor, percent_off,
                                            max_discount_minor, free_shipping, currency, minimum_spend_minor, categories, valid_from, valid_until, status)
                        values (:merchant, :coupon, :code, :customer, :campaign, :variant, :template, :amountOff, :percentOff, :maxDiscount, :freeShipping,
                                :currency, :minimumSpend, :categories, :from, :until, 'ISSUED')""")
                .bind("merchant", member.merchantId()).bind("coupon", couponId).bind("code", code).bind("customer", member.customerId())
                .bind("campaign", campaignId).bind("variant", Parameter.fromOrEmpty(variant, String.class)).bind("template", template.templateId())
                .bind("amountOff", Parameter.fromOrEmpty(template.amountOffMinor(), Long.class))
                .bind("percentOff", Parameter.fromOrEmpty(template.percentOff(), Integer.class))
                .bind("maxDiscount", Parameter.fromOrEmpty(template.maxDiscountMinor(), Long.class))
                .bind("freeShipping", template.freeShipping())
                .bind("currency", Parameter.fromOrEmpty(template.currency(), String.class))
                .bind("minimumSpend", Parameter.fromOrEmpty(template.minimumSpendMinor(), Long.class))
                .bind("categories", template.categories().toArray(String[]::new))
                .bind("from", utc(at)).bind("until", utc(validUntil))
                .then()
                .thenReturn(CouponIssued.newBuilder().setCouponId(couponId).setCouponCode(code).setCampaignId(campaignId)
                        .setTemplateId(template.templateId())
                        .setAmountOff(template.amountOffMinor() == null ? null : money(template.amountOffMinor(), template.currency()))
                        .setPercentOff(template.percentOff())
                        .setMinimumSpend(template.minimumSpendMinor() == null ? null : money(template.minimumSpendMinor(), template.currency()))
                        .setValidFrom(at).setValidUntil(validUntil)
                        .build());
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

    private static String code(int length) {
        char[] code = new char[length];
        for (int i = 0; i < length; i++) {
            code[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        }
        return new String(code);
    }

    private static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
