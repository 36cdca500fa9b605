package io.fugou.loyalty.tiers;

import io.fugou.events.MemberKey;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Mono;

/**
 * Each member's tier over time, as member-service announces it, so an order is multiplied by the tier
 * its member held when it was paid rather than the one held when it happens to be processed.
 */
@Repository
public class MemberTiers {

    /** A member held {@code tier} from {@code since}, as announced by event {@code eventId}. */
    public record TierHeld(MemberKey member, String tier, Instant since, String eventId) {
    }

    private final DatabaseClient db;

    public MemberTiers(DatabaseClient db) {
        this.db = db;
    }

    /** Records the tiers; an announcement seen before changes nothing. */
    public Mono<Void> record(List<TierHeld> tiers) {
        if (tiers.isEmpty()) {
            return Mono.empty();
        }
        return db.sql("""
                        insert into member_tier (merchant_id, customer_id, since, tier, event_id)
                        select * from unnest(cast(:merchants as text[]), cast(:customers as text[]), cast(:since as timestamptz[]),
                                             cast(:tiers as text[]), cast(:eventIds as text[]))
                        on conflict do nothing""")
                .bind("merchants", tiers.stream().map(t -> t.member().merchantId()).toArray(String[]::new))
                .bind("customers", tiers.stream().map(t -> t.member().customerId()).toArray(String[]::new))
                .bind("since", tiers.stream().map(t -> OffsetDateTime.ofInstant(t.since(), ZoneOffset.UTC)).toArray(OffsetDateTime[]::new))
                .bind("tiers", tiers.stream().map(TierHeld::tier).toArray(String[]::new))
                .bind("eventIds", tiers.stream().map(TierHeld::eventId).toArray(String[]::new))
                .then();
    }

    /** The tier each member held at each time (null where none is known), in one query for a batch. */
    public Mono<List<String>> tiersAt(List<MemberKey> members, List<Instant> times) {
        if (members.isEmpty()) {
            return Mono.just(List.of());
        }
        return db.sql("""
                        select u.i, (select t.tier from member_tier t
                                     where t.merchant_id = u.merchant_id and t.customer_id = u.customer_id and t.since <= u.at
                                     order by t.since desc, t.event_id desc limit 1) as tier
                        from unnest(cast(:merchants as text[]), cast(:customers as text[]), cast(:times as timestamptz[]))
                             with ordinality as u(merchant_id, customer_id, at, i)""")
                .bind("merchants", members.stream().map(MemberKey::merchantId).toArray(String[]::new))
                .bind("customers", members.stream().map(MemberKey::customerId).toArray(String[]::new))
                .bind("times", times.stream().map(t -> OffsetDateTime.ofInstant(t, ZoneOffset.UTC)).toArray(OffsetDateTime[]::new))
                .map((row, meta) -> new Object[] {row.get("i", Long.class), row.get("tier", String.class)})
                .all()
                .collectList()
                .map(rows -> {
                    String[] tiers = new String[members.size()];
                    rows.forEach(row -> tiers[(int) ((Long) row[0] - 1)] = (String) row[1]);
                    return new ArrayList<>(Arrays.asList(tiers));
                });
    }
}
