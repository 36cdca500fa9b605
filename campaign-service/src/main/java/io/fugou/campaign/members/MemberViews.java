package io.fugou.campaign.members;

import io.fugou.events.MemberKey;
import io.fugou.platform.merchant.MerchantId;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Mono;

/** What campaign-service knows of each member (tier, how they joined, the channels they consented to), kept from events. */
@Repository
public class MemberViews {

    /** A member as audiences see them; {@code consents}: ConsentChannel names granted. */
    public record MemberView(String tier, String channel, List<String> consents, boolean erased, String referrerCustomerId, String stage,
                             String rfmSegment, List<String> paidPlans, boolean enrolled) {
    }

    private final DatabaseClient db;

    public MemberViews(DatabaseClient db) {
        this.db = db;
    }

    /** A member who joined: in {@code tier}, through {@code channel}, referred by {@code referrerCustomerId} (or nobody). */
    public record Joined(MemberKey member, String tier, String channel, String referrerCustomerId, Instant at) {
    }

    /** The members joined (in one statement; a member joining twice in the batch counts once, the first time). */
    public Mono<Void> enrolled(List<Joined> joined) {
        if (joined.isEmpty()) {
            return Mono.empty();
        }
        Map<MemberKey, Joined> once = new java.util.LinkedHashMap<>();
        joined.forEach(one -> once.putIfAbsent(one.member(), one));
        List<Joined> rows = List.copyOf(once.values());
        return db.sql("""
                        insert into member_view (merchant_id, customer_id, tier, channel, referrer_customer_id, enrolled_at, updated_at)
                        select u.merchant_id, u.customer_id, u.tier, u.channel, u.referrer, u.at, u.at
                        from unnest(cast(:merchants as text[]), cast(:customers as text[]), cast(:tiers as text[]), cast(:channels as text[]),
                                    cast(:referrers as text[]), cast(:times as timestamptz[])) as u(merchant_id, customer_id, tier, channel, referrer, at)
                        on conflict (merchant_id, customer_id) do update set tier = coalesce(member_view.tier, excluded.tier),
                            channel = excluded.channel, referrer_customer_id = excluded.referrer_customer_id, enrolled_at = excluded.enrolled_at,
                            updated_at = greatest(member_view.updated_at, excluded.updated_at)""")
                .bind("merchants", rows.stream().map(one -> one.member().merchantId()).toArray(String[]::new))
                .bind("customers", rows.stream().map(one -> one.member().customerId()).toArray(String[]::new))
                .bind("tiers", rows.stream().map(Joined::tier).toArray(String[]::new))
                .bind("channels", rows.stream().map(Joined::channel).toArray(String[]::new))
                .bind("referrers", rows.stream().map(Joined::referrerCustomerId).toArray(String[]::new))
                .bind("times", rows.stream().map(one -> utc(one.at())).toArray(OffsetDateTime[]::new))
                .then();
    }

    public Mono<Void> tier(MemberKey member, String tier, Instant at) {
        return db.sql("""
                        insert into member_view (merchant_id, customer_id, tier, updated_at) values (:merchant, :customer, :tier, :at)
                        on conflict (merchant_id, customer_id) do update set tier = excluded.tier, updated_at = excluded.updated_at""")
                .bind("merchant", member.merchantId()).bind("customer", member.customerId()).bind("tier", tier).bind("at", utc(at)).then();
    }

    public Mono<Void> consents(MemberKey member, List<String> granted, Instant at) {
        return db.sql("""
                        insert into member_view (merchant_id, customer_id, consents, updated_at) values (:merchant, :customer, :consents, :at)
                        on conflict (merchant_id, customer_id) do update set consents = excluded.consents, updated_at = excluded.updated_at""")
                .bind("merchant", member.merchantId()).bind("customer", member.customerId()).bind("consents", granted.toArray(String[]::new))
                .bind("at", utc(at)).then();
    }

    /** analytics' latest stage for the member, by event time (an older one arriving late changes nothing); true when it moved. */
    public Mono<Boolean> stage(MemberKey member, String stage, Instant at) {
        return db.sql("""
                        insert into member_view (merchant_id, customer_id, stage, stage_since, updated_at) values (:merchant, :customer, :stage, :at, :at)
                        on conflict (merchant_id, customer_id) do update set stage = excluded.stage, stage_since = excluded.stage_since,
                            updated_at = greatest(member_view.updated_at, excluded.updated_at)
                        where member_view.stage_since is null or member_view.stage_since <= excluded.stage_since""")
                .bind("merchant", member.merchantId()).bind("customer", member.customerId()).bind("stage", stage).bind("at", utc(at))
                .fetch().rowsUpdated().map(rows -> rows > 0);
    }

    /** analytics' latest prediction of the member's next order, by event time (an older one arriving late changes nothing). */
    public Mono<Void> nextOrder(MemberKey member, Instant predictedAt, Instant at) {
        return db.sql("""
                        insert into member_view (merchant_id, customer_id, next_order_at, next_order_since, updated_at)
                        values (:merchant, :customer, :predicted, :at, :at)
                        on conflict (merchant_id, customer_id) do update set next_order_at = excluded.next_order_at,
                            next_order_since = excluded.next_order_since, updated_at = greatest(member_view.updated_at, excluded.updated_at)
                        where member_view.next_order_since is null or member_view.next_order_since <= excluded.next_order_since""")
                .bind("merchant", member.merchantId()).bind("customer", member.customerId()).bind("predicted", utc(predictedAt)).bind("at", utc(at))
                .then();
    }

    public Mono<Void> rfmSegment(MemberKey member, String segment, Instant at) {
        return db.sql("""
                        insert into member_view (merchant_id, customer_id, rfm_segment, updated_at) values (:merchant, :customer, :segment, :at)
                        on conflict (merchant_id, customer_id) do update set rfm_segment = excluded.rfm_segment, updated_at = excluded.updated_at""")
                .bind("merchant", member.merchantId()).bind("customer", member.customerId()).bind("segment", segment).bind("at", utc(at)).then();
    }

    /** A paid plan the member holds from now ({@code holds}) or no longer. */
    public Mono<Void> paidPlan(MemberKey member, String planId, boolean holds, Instant at) {
        return db.sql("""
                        insert into member_view (merchant_id, customer_id, paid_plans, updated_at)
                        values (:merchant, :customer, case when :holds then array[cast(:plan as text)] else cast('{}' as text[]) end, :at)
                        on conflict (merchant_id, customer_id) do update set updated_at = excluded.updated_at,
                            paid_plans = case when :holds then array(select distinct p from unnest(member_view.paid_plans || cast(:plan as text)) as p)
                                              else array_remove(member_view.paid_plans, cast(:plan as text)) end""")
                .bind("merchant", member.merchantId()).bind("customer", member.customerId()).bind("plan", planId).bind("holds", holds)
                .bind("at", utc(at)).then();
    }

    /** The buyers' latest paid orders (a member or not yet: a buyer may join later). */
    public Mono<Void> ordered(List<MemberKey> buyers, List<Instant> at) {
        if (buyers.isEmpty()) {
            return Mono.empty();
        }
        return db.sql("""
                        insert into member_view (merchant_id, customer_id, last_order_at, updated_at)
                        select u.merchant_id, u.customer_id, max(u.at), max(u.at)
                        from unnest(cast(:merchants as text[]), cast(:customers as text[]), cast(:times as timestamptz[])) as u(merchant_id, customer_id, at)
                        where u.merchant_id = any(cast(:merchantIds as text[]))
                        group by u.merchant_id, u.customer_id
                        on conflict (merchant_id, customer_id) do update
                            set last_order_at = greatest(member_view.last_order_at, excluded.last_order_at)""")
                .bind("merchants", buyers.stream().map(MemberKey::merchantId).toArray(String[]::new))
                .bind("merchantIds", MerchantId.distinct(buyers.stream().map(MemberKey::merchantId).toArray(String[]::new)))
                .bind("customers", buyers.stream().map(MemberKey::customerId).toArray(String[]::new))
                .bind("times", at.stream().map(MemberViews::utc).toArray(OffsetDateTime[]::new))
                .then();
    }

    /**
     * The member's birthday (null: not given, or removed) as of their profile at {@code profileAt}; an older profile arriving
     * late changes nothing, and nothing is stored for an erased member.
     */
    public Mono<Void> birthday(MemberKey member, LocalDate birthday, Instant profileAt) {
        return db.sql("""
                        insert into member_view (merchant_id, customer_id, birthday, profile_updated_at, updated_at)
                        values (:merchant, :customer, :birthday, :at, :at)
                        on conflict (merchant_id, customer_id) do update set birthday = excluded.birthday,
                            profile_updated_at = excluded.profile_updated_at, updated_at = greatest(member_view.updated_at, excluded.updated_at)
                        where not member_view.erased
                          and (member_view.profile_updated_at is null or member_view.profile_updated_at <= excluded.profile_updated_at)""")
                .bind("merchant", member.merchantId()).bind("customer", member.customerId())
                .bind("birthday", org.springframework.r2dbc.core.Parameter.fromOrEmpty(birthday, LocalDate.class))
                .bind("at", utc(profileAt)).then();
    }

    /** The member's personal data is gone: consents and birthday too (nothing may be sent on their strength). */
    public Mono<Void> erased(MemberKey member, Instant at) {
        return db.sql("""
                        update member_view set consents = '{}', birthday = null, erased = true, updated_at = :at
                        where merchant_id = :merchant and customer_id = :customer""")
                .bind("merchant", member.merchantId()).bind("customer", member.customerId()).bind("at", utc(at)).then();
    }

    public Mono<Map<MemberKey, MemberView>> of(List<MemberKey> members) {
        if (members.isEmpty()) {
            return Mono.just(Map.of());
        }
        return db.sql("""
                        select v.merchant_id, v.customer_id, v.tier, v.channel, v.consents, v.erased, v.referrer_customer_id, v.stage, v.rfm_segment,
                               v.paid_plans, v.enrolled_at
                        from unnest(cast(:merchants as text[]), cast(:customers as text[])) as u(merchant_id, customer_id)
                        -- A lookup by key per member (the limit keeps the planner from making it a join): a join is planned, on a
                        -- table whose statistics lag its growth, as a scan of all the merchants' members.
                        cross join lateral (select * from member_view m where m.merchant_id = u.merchant_id and m.customer_id = u.customer_id
                                              and m.merchant_id = any(cast(:merchantIds as text[])) limit 1) v""")
                .bind("merchants", members.stream().map(MemberKey::merchantId).toArray(String[]::new))
                .bind("merchantIds", MerchantId.distinct(members.stream().map(MemberKey::merchantId).toArray(String[]::new)))
                .bind("customers", members.stream().map(MemberKey::customerId).toArray(String[]::new))
                .map((row, meta) -> Map.entry(new MemberKey(row.get("merchant_id", String.class), row.get("customer_id", String.class)),
                        new MemberView(row.get("tier", String.class), row.get("channel", String.class),
                                Arrays.asList(row.get("consents", String[].class)), Boolean.TRUE.equals(row.get("erased", Boolean.class)),
                                row.get("referrer_customer_id", String.class), row.get("stage", String.class), row.get("rfm_segment", String.class),
                                Arrays.asList(row.get("paid_plans", String[].class)), row.get("enrolled_at", OffsetDateTime.class) != null)))
                .all().collectMap(Map.Entry::getKey, Map.Entry::getValue);
    }

    private static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
