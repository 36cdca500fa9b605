package io.fugou.campaign.contact;

import io.fugou.platform.merchant.MerchantId;
import java.time.Instant;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.Map;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.Parameter;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Mono;

/** The merchants' contact policies (none: no cap). */
@Repository
public class ContactPolicies {

    private final DatabaseClient db;

    public ContactPolicies(DatabaseClient db) {
        this.db = db;
    }

    public Mono<ContactPolicy> of(MerchantId merchant) {
        return ofAll(java.util.List.of(merchant.value())).map(all -> all.getOrDefault(merchant.value(), ContactPolicy.NONE));
    }

    public Mono<Map<String, ContactPolicy>> ofAll(Collection<String> merchants) {
        return db.sql("select * from contact_policy where merchant_id = any(cast(:merchants as text[]))")
                .bind("merchants", merchants.stream().distinct().toArray(String[]::new))
                .map((row, meta) -> Map.entry(row.get("merchant_id", String.class), new ContactPolicy(row.get("max_contacts", Integer.class),
                        row.get("window_hours", Integer.class), row.get("min_gap_minutes", Integer.class), row.get("quiet_from", LocalTime.class),
                        row.get("quiet_to", LocalTime.class), row.get("time_zone", String.class))))
                .all().collectMap(Map.Entry::getKey, Map.Entry::getValue);
    }

    public Mono<ContactPolicy> save(MerchantId merchant, ContactPolicy policy, Instant now) {
        return db.sql("""
                        insert into contact_policy (merchant_id, max_contacts, window_hours, min_gap_minutes, quiet_from, quiet_to, time_zone, updated_at)
                        values (:merchant, :max, :window, :gap, :from, :to, :zone, :now)
                        on conflict (merchant_id) do update set max_contacts = excluded.max_contacts, window_hours = excluded.window_hours,
                            min_gap_minutes = excluded.min_gap_minutes, quiet_from = excluded.quiet_from, quiet_to = excluded.quiet_to,
                            time_zone = excluded.time_zone, updated_at = excluded.updated_at""")
                .bind("merchant", merchant.value())
                .bind("max", Parameter.fromOrEmpty(policy.maxContacts(), Integer.class))
                .bind("window", Parameter.fromOrEmpty(policy.windowHours(), Integer.class))
                .bind("gap", Parameter.fromOrEmpty(policy.minGapMinutes(), Integer.class))
                .bind("from", Parameter.fromOrEmpty(policy.quietFrom(), LocalTime.class))
                .bind("to", Parameter.fromOrEmpty(policy.quietTo(), LocalTime.class))
                .bind("zone", policy.timeZone())
                .bind("now", OffsetDateTime.ofInstant(now, ZoneOffset.UTC))
                .then().thenReturn(policy);
    }
}
