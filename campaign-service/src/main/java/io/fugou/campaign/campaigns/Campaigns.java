package io.fugou.campaign.campaigns;

import io.fugou.platform.merchant.MerchantId;
import io.fugou.platform.web.paging.Cursor;
import io.fugou.platform.web.paging.Page;
import io.fugou.platform.web.paging.PageRequest;
import io.r2dbc.spi.Readable;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.List;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/** The merchants' campaigns. */
@Repository
public class Campaigns {

    private final DatabaseClient db;
    private final JsonMapper json;

    public Campaigns(DatabaseClient db, JsonMapper json) {
        this.db = db;
        this.json = json;
    }

    public Mono<Campaign> create(MerchantId merchant, String campaignId, CampaignDefinition definition, Instant now) {
        return db.sql("""
                        insert into campaign (merchant_id, campaign_id, status, definition, created_at, updated_at)
                        values (:merchant, :campaign, 'DRAFT', cast(:definition as jsonb), :now, :now)""")
                .bind("merchant", merchant.value()).bind("campaign", campaignId).bind("definition", json.writeValueAsString(definition))
                .bind("now", utc(now))
                .then().thenReturn(new Campaign(campaignId, Campaign.Status.DRAFT, definition, now, now));
    }

    /**
     * The campaign, locked until the caller's transaction ends: changes to one campaign take turns, and wait for the
     * batches giving it (which hold its lock shared, {@link #lockGiving}); batches that come after wait for the change.
     */
    public Mono<Campaign> lock(MerchantId merchant, String campaignId) {
        return advisoryLocks(List.of(new Key(merchant.value(), campaignId)), true).then(db.sql("""
                        select campaign_id, status, cast(definition as text) as definition, created_at, updated_at from campaign
                        where merchant_id = :merchant and campaign_id = :campaign for update""")
                .bind("merchant", merchant.value()).bind("campaign", campaignId)
                .map((row, meta) -> campaign(row)).one());
    }

    /** A campaign of a merchant, as a key for {@link #lockGiving}. */
    public record Key(String merchantId, String campaignId) {
    }

    /**
     * Locks the campaigns a batch is about to give, until the caller's transaction ends: {@code exclusive} ones alone (their
     * rewards are counted against a budget per campaign), the {@code shared} ones together with other batches, all of them
     * against changes ({@link #lock}). The campaigns as they are once locked.
     * <p>
     * Advisory locks rather than the rows' own ({@link io.fugou.platform.locks.AdvisoryLocks}): row share locks let
     * batches overtake a waiting pause, which could then wait without end. Exclusive ones first.
     */
    public Mono<java.util.Map<Key, Campaign>> lockGiving(List<Key> exclusive, List<Key> shared) {
        List<Key> all = java.util.stream.Stream.concat(exclusive.stream(), shared.stream()).toList();
        if (all.isEmpty()) {
            return Mono.just(java.util.Map.of());
        }
        return advisoryLocks(exclusive, true).then(advisoryLocks(shared, false)).then(db.sql("""
                        select c.merchant_id, c.campaign_id, c.status, cast(c.definition as text) as definition, c.created_at, c.updated_at
                        from unnest(cast(:merchants as text[]), cast(:campaigns as text[])) as u(merchant_id, campaign_id)
                        cross join lateral (select * from campaign k where k.merchant_id = u.merchant_id and k.campaign_id = u.campaign_id
                                              and k.merchant_id = any(cast(:merchantIds as text[])) limit 1) c""")
                .bind("merchants", all.stream().map(Key::merchantId).toArray(String[]::new))
                .bind("campaigns", all.stream().map(Key::campaignId).toArray(String[]::new))
                .bind("merchantIds", MerchantId.distinct(all.stream().map(Key::merchantId).toArray(String[]::new)))
                .map((row, meta) -> java.util.Map.entry(new Key(row.get("merchant_id", String.class), row.get("campaign_id", String.class)), campaign(row)))
                .all().collectMap(java.util.Map.Entry::getKey, java.util.Map.Entry::getValue));
    }

    /** Transaction-scoped advisory locks on the campaigns, in one order (so two callers cannot deadlock). */
    private Mono<Void> advisoryLocks(List<Key> keys, boolean exclusive) {
        return io.fugou.platform.locks.AdvisoryLocks.lock(db, "fugou_campaign", keys.stream().map(key -> key.merchantId() + ":" + key.campaignId()).toList(),
                exclusive);
    }

    /**
     * Counts the campaign's rewards per day again from its assignments (in {@code zone}), for a campaign whose budget is newly
     * counted per campaign, or counted in another zone. Called under the campaign's exclusive lock.
     */
    public Mono<Void> recountBudgetUse(MerchantId merchant, String campaignId, java.time.ZoneId zone) {
        return db.sql("delete from campaign_budget_use where merchant_id = :merchant and campaign_id = :campaign")
                .bind("merchant", merchant.value()).bind("campaign", campaignId).then()
                .then(db.sql("""
                                insert into campaign_budget_use (merchant_id, campaign_id, day, given)
                                select merchant_id, campaign_id, cast(assigned_at at time zone :zone as date), count(*) from assignment
                                where merchant_id = :merchant and campaign_id = :campaign and assignment_group = 'TREATMENT'
                                group by 1, 2, 3""")
                        .bind("merchant", merchant.value()).bind("campaign", campaignId).bind("zone", zone.getId()).then());
    }

    public Mono<Campaign> find(MerchantId merchant, String campaignId) {
        return db.sql("""
                        select campaign_id, status, cast(definition as text) as definition, created_at, updated_at from campaign
                        where merchant_id = :merchant and campaign_id = :campaign""")
                .bind("merchant", merchant.value()).bind("campaign", campaignId)
                .map((row, meta) -> campaign(row)).one();
    }

    public Mono<Void> update(MerchantId merchant, String campaignId, Campaign.Status status, CampaignDefinition definition, Instant now) {
        return db.sql("""
                        update campaign set status = :status, definition = cast(:definition as jsonb), updated_at = :now
                        where merchant_id = :merchant and campaign_id = :campaign""")
                .bind("status", status.name()).bind("definition", json.writeValueAsString(definition)).bind("now", utc(now))
                .bind("merchant", merchant.value()).bind("campaign", campaignId)
                .then();
    }

    /** The merchant's campaigns, newest first. */
    public Mono<Page<Campaign>> list(MerchantId merchant, PageRequest page) {
        var after = page.after(2);
        return db.sql("""
                        select campaign_id, status, cast(definition as text) as definition, created_at, updated_at from campaign
                        where merchant_id = :merchant and (created_at, campaign_id) < (:beforeAt, :beforeId)
                        order by created_at desc, campaign_id desc limit :limit""")
                .bind("merchant", merchant.value())
                .bind("beforeAt", utc(after.map(cursor -> Instant.ofEpochMilli(cursor.longValue(0))).orElse(Instant.parse("9999-12-31T23:59:59Z"))))
                .bind("beforeId", after.map(cursor -> cursor.value(1)).orElse(""))
                .bind("limit", page.fetchSize())
                .map((row, meta) -> campaign(row))
                .all().collectList()
                .map(rows -> Page.of(rows, page, campaign -> Cursor.of(Long.toString(campaign.createdAt().toEpochMilli()), campaign.campaignId())));
    }

    /** The active campaigns of these merchants listening for these triggers, in one query for a batch. */
    public Flux<MerchantCampaign> active(Collection<String> merchants, List<CampaignDefinition.TriggerType> triggers) {
        return db.sql("""
                        select merchant_id, campaign_id, status, cast(definition as text) as definition, created_at, updated_at from campaign
                        where merchant_id = any(cast(:merchants as text[])) and status = 'ACTIVE'
                          and definition -> 'trigger' ->> 'type' = any(cast(:triggers as text[]))""")
                .bind("merchants", merchants.stream().distinct().toArray(String[]::new))
                .bind("triggers", triggers.stream().map(Enum::name).toArray(String[]::new))
                .map((row, meta) -> new MerchantCampaign(row.get("merchant_id", String.class), campaign(row)))
                .all();
    }

    public record MerchantCampaign(String merchantId, Campaign campaign) {
    }

    private Campaign campaign(Readable row) {
        return new Campaign(row.get("campaign_id", String.class), Campaign.Status.valueOf(row.get("status", String.class)),
                json.readValue(row.get("definition", String.class), CampaignDefinition.class),
                row.get("created_at", OffsetDateTime.class).toInstant(), row.get("updated_at", OffsetDateTime.class).toInstant());
    }

    private static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
