package io.fugou.member.program;

import io.fugou.events.Topics;
import io.fugou.platform.merchant.MerchantId;
import io.fugou.platform.pipeline.Outbound;
import io.fugou.platform.pipeline.Outbox;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every merchant's membership programme, version by version. A version is never changed: a merchant changes
 * the programme by adding one, in force from a time not in the past, so an enrollment stays explained by the
 * version that made it.
 */
@Repository
public class Programs {

    private final DatabaseClient db;
    private final JsonMapper json;
    private final Outbox outbox;
    private final TransactionalOperator transactional;

    public Programs(DatabaseClient db, JsonMapper json, Outbox outbox, ReactiveTransactionManager transactions) {
        this.db = db;
        this.json = json;
        this.outbox = outbox;
        this.transactional = TransactionalOperator.create(transactions);
    }

    /**
     * Adds a version, numbered after the merchant's last, and publishes the programme's tiers (every version's) on
     * {@code fugou.membership-programs.v1} through the outbox, in one transaction. Two added at once: one fails on the key
     * and may be sent again.
     */
    public Mono<ProgramVersion> add(MerchantId merchant, MembershipProgram program, Instant effectiveFrom, Instant now) {
        return transactional.transactional(insert(merchant, program, effectiveFrom, now)
                .flatMap(added -> publish(merchant, now, now).thenReturn(added)));
    }

    /**
     * Publishes the merchant's tier codes on {@code fugou.membership-programs.v1}, through the outbox (in the caller's
     * transaction): every version's, and the defaults' while no version is in force yet (members joined meanwhile are in
     * them). {@code changedAt}: when the programme last changed, which readers keep the newest by.
     */
    private Mono<Void> publish(MerchantId merchant, Instant changedAt, Instant now) {
        return versions(merchant).collectList().flatMap(all -> {
            Set<String> tiers = new LinkedHashSet<>();
            if (all.stream().noneMatch(version -> !version.effectiveFrom().isAfter(now))) {
                ProgramVersion.DEFAULTS.program().tiers().forEach(tier -> tiers.add(tier.code()));
            }
            all.stream().sorted(Comparator.comparing(ProgramVersion::effectiveFrom))
                    .forEach(version -> version.program().tiers().forEach(tier -> tiers.add(tier.code())));
            return outbox.append(List.of(new Outbound(Topics.MEMBERSHIP_PROGRAMS, merchant.value(),
                    io.fugou.events.members.MembershipProgram.newBuilder().setMerchantId(merchant.value()).setUpdatedAt(changedAt)
                            .setTiers(List.copyOf(tiers)).build())));
        });
    }

    /**
     * Publishes every merchant's tiers again, each in its own transaction: at start, so programmes made before the topic
     * existed (or whose publication was lost) reach its readers. Republishing is harmless: readers keep the newest.
     */
    public Mono<Void> publishAll(Instant now) {
        return db.sql("""
                        -- across merchants: each merchant with a programme, and when it last changed
                        select merchant_id, max(created_at) as changed_at from membership_program group by merchant_id""")
                .map((row, meta) -> Map.entry(row.get("merchant_id", String.class), row.get("changed_at", OffsetDateTime.class).toInstant()))
                .all()
                .concatMap(changed -> transactional.transactional(publish(new MerchantId(changed.getKey()), changed.getValue(), now)))
                .then();
    }

    private Mono<ProgramVersion> insert(MerchantId merchant, MembershipProgram program, Instant effectiveFrom, Instant now) {
        return db.sql("""
                        insert into membership_program (merchant_id, version, effective_from, program, created_at)
                        select :merchant, coalesce(max(version), 0) + 1, :from, cast(:program as jsonb), :now
                        from membership_program where merchant_id = :merchant
                        returning version""")
                .bind("merchant", merchant.value())
                .bind("from", utc(effectiveFrom))
                .bind("program", json.writeValueAsString(program))
                .bind("now", utc(now))
                .map((row, meta) -> new ProgramVersion(row.get("version", Integer.class), effectiveFrom, program))
                .one();
    }

    /** The merchant's versions, the latest to come into force first. */
    public Flux<ProgramVersion> versions(MerchantId merchant) {
        return db.sql("""
                        select version, effective_from, cast(program as text) as program from membership_program
                        where merchant_id = :merchant order by effective_from desc""")
                .bind("merchant", merchant.value())
                .map((row, meta) -> version(row.get("version", Integer.class), row.get("effective_from", OffsetDateTime.class),
                        row.get("program", String.class)))
                .all();
    }

    /** The version in force at that time: the latest whose effectiveFrom is not after it, else the defaults. */
    public Mono<ProgramVersion> inForce(MerchantId merchant, Instant at) {
        return versionsOf(List.of(merchant.value())).map(all -> all.inForce(merchant.value(), at));
    }

    /** Every version of these merchants, in one query, to judge a batch by. */
    public Mono<Versions> versionsOf(Collection<String> merchants) {
        return db.sql("""
                        select merchant_id, version, effective_from, cast(program as text) as program from membership_program
                        where merchant_id = any(cast(:merchants as text[]))""")
                .bind("merchants", merchants.stream().distinct().toArray(String[]::new))
                .map((row, meta) -> Map.entry(row.get("merchant_id", String.class), version(row.get("version", Integer.class),
                        row.get("effective_from", OffsetDateTime.class), row.get("program", String.class))))
                .all()
                .collectList()
                .map(rows -> {
                    Map<String, List<ProgramVersion>> byMerchant = new HashMap<>();
                    rows.forEach(row -> byMerchant.computeIfAbsent(row.getKey(), key -> new ArrayList<>()).add(row.getValue()));
                    byMerchant.values().forEach(list -> list.sort(Comparator.comparing(ProgramVersion::effectiveFrom).reversed()));
                    return new Versions(byMerchant);
                });
    }

    /** Some merchants' versions, latest first. */
    public record Versions(Map<String, List<ProgramVersion>> byMerchant) {

        public ProgramVersion inForce(String merchant, Instant at) {
            for (ProgramVersion version : byMerchant.getOrDefault(merchant, List.of())) {
                if (!version.effectiveFrom().isAfter(at)) {
                    return version;
                }
            }
            return ProgramVersion.DEFAULTS;
        }

        /**
         * The version in force at that time, or, for a time before the merchant's first version, that first one: what a
         * member enrolled with an earlier date (an import) starts on is a tier of the merchant's ladder, not of the defaults.
         */
        public ProgramVersion inForceOrFirst(String merchant, Instant at) {
            List<ProgramVersion> versions = byMerchant.getOrDefault(merchant, List.of());
            ProgramVersion version = inForce(merchant, at);
            return version == ProgramVersion.DEFAULTS && !versions.isEmpty() ? versions.get(versions.size() - 1) : version;
        }
    }

    private ProgramVersion version(int number, OffsetDateTime from, String program) {
        return new ProgramVersion(number, from.toInstant(), json.readValue(program, MembershipProgram.class));
    }

    private static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
