package io.fugou.campaign.coupons;

import io.fugou.campaign.campaigns.CampaignDefinition;
import io.fugou.platform.merchant.MerchantId;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * Coupon templates a merchant names once: what a member gets when they buy a coupon with points ({@code PointsRedeemed}
 * names the template). A campaign's coupons carry their terms in the campaign itself.
 */
@Repository
public class CouponTemplates {

    private final DatabaseClient db;
    private final JsonMapper json;

    public CouponTemplates(DatabaseClient db, JsonMapper json) {
        this.db = db;
        this.json = json;
    }

    /** Creates or replaces the template; true when it is new. Coupons issued before keep their own terms. */
    public Mono<Boolean> save(MerchantId merchant, CampaignDefinition.Coupon terms, Instant now) {
        return db.sql("""
                        insert into coupon_template (merchant_id, template_id, terms, updated_at) values (:merchant, :template, cast(:terms as jsonb), :now)
                        on conflict (merchant_id, template_id) do update set terms = excluded.terms, updated_at = excluded.updated_at
                        returning (xmax = 0) as created""")
                .bind("merchant", merchant.value()).bind("template", terms.templateId()).bind("terms", json.writeValueAsString(terms))
                .bind("now", OffsetDateTime.ofInstant(now, ZoneOffset.UTC))
                .map((row, meta) -> Boolean.TRUE.equals(row.get("created", Boolean.class)))
                .one();
    }

    public Mono<CampaignDefinition.Coupon> find(MerchantId merchant, String templateId) {
        return db.sql("select cast(terms as text) as terms from coupon_template where merchant_id = :merchant and template_id = :template")
                .bind("merchant", merchant.value()).bind("template", templateId)
                .map((row, meta) -> json.readValue(row.get("terms", String.class), CampaignDefinition.Coupon.class))
                .one();
    }

    /** The merchant's templates by id. */
    public Flux<CampaignDefinition.Coupon> list(MerchantId merchant) {
        return db.sql("select cast(terms as text) as terms from coupon_template where merchant_id = :merchant order by template_id")
                .bind("merchant", merchant.value())
                .map((row, meta) -> json.readValue(row.get("terms", String.class), CampaignDefinition.Coupon.class))
                .all();
    }

    /** The templates named, of several merchants at once, keyed merchant id, NUL, template id. */
    public Mono<Map<String, CampaignDefinition.Coupon>> of(List<String> merchants, List<String> templateIds) {
        if (merchants.isEmpty()) {
            return Mono.just(Map.of());
        }
        return db.sql("""
                        select t.merchant_id, t.template_id, cast(t.terms as text) as terms
                        from coupon_template t
                        join unnest(cast(:merchants as text[]), cast(:templates as text[])) as u(merchant_id, template_id)
                          on t.merchant_id = u.merchant_id and t.template_id = u.template_id
                        where t.merchant_id = any(cast(:merchantIds as text[]))""")
                .bind("merchants", merchants.toArray(String[]::new)).bind("templates", templateIds.toArray(String[]::new))
                .bind("merchantIds", MerchantId.distinct(merchants.toArray(String[]::new)))
                .map((row, meta) -> Map.entry(row.get("merchant_id", String.class) + '\u0000' + row.get("template_id", String.class),
                        json.readValue(row.get("terms", String.class), CampaignDefinition.Coupon.class)))
                .all().collectMap(Map.Entry::getKey, Map.Entry::getValue);
    }
}
