package io.fugou.campaign.issuing;

import io.fugou.campaign.campaigns.CampaignDefinition;
import io.fugou.campaign.contact.ContactPolicies;
import io.fugou.platform.merchant.MerchantId;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/** A campaign's dry run: how many current members its audience matches, and how many of them the contact policy would cap now. */
@Component
public class AudienceCounts {

    /** {@code capped}: of the matched, those a message would not reach now (no consent to its channel, or contacted up to the cap). */
    public record DryRun(long members, long capped) {
    }

    private final DatabaseClient db;
    private final ContactPolicies policies;

    public AudienceCounts(DatabaseClient db, ContactPolicies policies) {
        this.db = db;
        this.policies = policies;
    }

    public Mono<DryRun> count(MerchantId merchant, CampaignDefinition definition, Instant now) {
        CampaignDefinition.Audience audience = definition.audience();
        CampaignDefinition.Notification message = definition.assignable().stream().map(variant -> variant.reward().notification())
                .filter(java.util.Objects::nonNull).findFirst().orElse(null);
        return policies.of(merchant).flatMap(policy -> db.sql("""
                        select count(*) as members,
                               count(*) filter (where cast(:channel as text) is not null and (not (cast(:channel as text) = any(v.consents))
                                   or (cast(:max as int) is not null and (select count(*) from contact c where c.merchant_id = v.merchant_id
                                        and c.customer_id = v.customer_id and c.status in ('SENT', 'DELAYED') and c.decided_at > :windowStart) >= :max))) as capped
                        from member_view v
                        where v.merchant_id = :merchant and not v.erased and v.enrolled_at is not null
                          and (cardinality(cast(:tiers as text[])) = 0 or v.tier = any(cast(:tiers as text[])))
                          and (cardinality(cast(:channels as text[])) = 0 or v.channel = any(cast(:channels as text[])))
                          and (cardinality(cast(:consented as text[])) = 0 or v.consents && cast(:consented as text[]))
                          and (cardinality(cast(:stages as text[])) = 0 or v.stage = any(cast(:stages as text[])))
                          and (cardinality(cast(:segments as text[])) = 0 or v.rfm_segment = any(cast(:segments as text[])))
                          and (cast(:paid as boolean) is null or (cardinality(v.paid_plans) > 0) = cast(:paid as boolean))""")
                .bind("merchant", merchant.value())
                .bind("channel", org.springframework.r2dbc.core.Parameter.fromOrEmpty(message == null ? null : message.channel().name(), String.class))
                .bind("max", org.springframework.r2dbc.core.Parameter.fromOrEmpty(policy.maxContacts(), Integer.class))
                .bind("windowStart", OffsetDateTime.ofInstant(policy.windowHours() == null ? now : now.minus(Duration.ofHours(policy.windowHours())),
                        ZoneOffset.UTC))
                .bind("tiers", audience.tiers().toArray(String[]::new))
                .bind("channels", audience.channels().stream().map(Enum::name).toArray(String[]::new))
                .bind("consented", audience.consentedTo().stream().map(Enum::name).toArray(String[]::new))
                .bind("stages", audience.stages().stream().map(Enum::name).toArray(String[]::new))
                .bind("segments", audience.rfmSegments().toArray(String[]::new))
                .bind("paid", org.springframework.r2dbc.core.Parameter.fromOrEmpty(audience.paidMembers(), Boolean.class))
                .map((row, meta) -> new DryRun(((Number) row.get("members")).longValue(), ((Number) row.get("capped")).longValue()))
                .one());
    }
}
