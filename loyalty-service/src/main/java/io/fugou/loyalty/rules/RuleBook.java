package io.fugou.loyalty.rules;

import io.fugou.platform.merchant.MerchantId;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every merchant's rules, version by version. A version is never changed: a merchant changes the rules
 * by adding one, in force from a time not in the past, so whatever was scored stays explained by the
 * version that scored it.
 */
@Repository
public class RuleBook {

    private final DatabaseClient db;
    private final JsonMapper json;

    public RuleBook(DatabaseClient db, JsonMapper json) {
        this.db = db;
        this.json = json;
    }

    /** Adds a version, numbered after the merchant's last. Two added at once: one fails on the key and may be sent again. */
    public Mono<RuleVersion> add(MerchantId merchant, EarningRules rules, Instant effectiveFrom, Instant now) {
        return db.sql("""
                        insert into earning_rules (merchant_id, version, effective_from, rules, created_at)
                        select :merchant, coalesce(max(version), 0) + 1, :from, cast(:rules as jsonb), :now
                        from earning_rules where merchant_id = :merchant
                        returning version""")
                .bind("merchant", merchant.value())
                .bind("from", utc(effectiveFrom))
                .bind("rules", json.writeValueAsString(rules))
                .bind("now", utc(now))
                .map((row, meta) -> new RuleVersion(row.get("version", Integer.class), effectiveFrom, rules))
                .one();
    }

    /** The merchant's versions, latest in force first. */
    public Flux<RuleVersion> versions(MerchantId merchant) {
        return db.sql("""
                        select version, effective_from, cast(rules as text) as rules from earning_rules where merchant_id = :merchant
                        order by effective_from desc""")
                .bind("merchant", merchant.value())
                .map((row, meta) -> version(row.get("version", Integer.class), row.get("effective_from", OffsetDateTime.class),
                        row.get("rules", String.class)))
                .all();
    }

    /** The version in force at that time: the latest whose effectiveFrom is not after it, else the defaults. */
    public Mono<RuleVersion> inForce(MerchantId merchant, Instant at) {
        return versionsOf(List.of(merchant.value())).map(all -> all.inForce(merchant.value(), at));
    }

    /** Every version of these merchants, in one query, to score a batch by. */
    public Mono<Versions> versionsOf(Collection<String> merchants) {
        return db.sql("""
                        select merchant_id, version, effective_from, cast(rules as text) as rules from earning_rules
                        where merchant_id = any(cast(:merchants as text[]))""")
                .bind("merchants", merchants.stream().distinct().toArray(String[]::new))
                .map((row, meta) -> Map.entry(row.get("merchant_id", String.class), version(row.get("version", Integer.class),
                        row.get("effective_from", OffsetDateTime.class), row.get("rules", String.class))))
                .all()
                .collectList()
                .map(rows -> {
                    Map<String, List<RuleVersion>> byMerchant = new HashMap<>();
                    rows.forEach(row -> byMerchant.computeIfAbsent(row.getKey(), key -> new ArrayList<>()).add(row.getValue()));
                    byMerchant.values().forEach(list -> list.sort(Comparator.comparing(RuleVersion::effectiveFrom).reversed()));
                    return new Versions(byMerchant);
                });
    }

    /** Some merchants' versions, latest first. */
    public record Versions(Map<String, List<RuleVersion>> byMerchant) {

        public RuleVersion inForce(String merchant, Instant at) {
            for (RuleVersion version : byMerchant.getOrDefault(merchant, List.of())) {
                if (!version.effectiveFrom().isAfter(at)) {
                    return version;
                }
            }
            return RuleVersion.DEFAULTS;
        }
    }

    /** The merchants with rules of their own and the zone of each one's latest version, for the daily jobs. */
    public Flux<Map.Entry<String, String>> merchantZones() {
        return db.sql("""
                        -- across merchants: the merchants the daily jobs visit, each in its zone
                        select distinct on (merchant_id) merchant_id, rules ->> 'timeZone' as zone
                        from earning_rules order by merchant_id, effective_from desc""")
                .map((row, meta) -> Map.entry(row.get("merchant_id", String.class), row.get("zone", String.class)))
                .all();
    }

    private RuleVersion version(int number, OffsetDateTime from, String rules) {
        return new RuleVersion(number, from.toInstant(), json.readValue(rules, EarningRules.class));
    }

    private static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
