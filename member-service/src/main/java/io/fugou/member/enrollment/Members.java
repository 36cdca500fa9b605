package io.fugou.member.enrollment;

import io.fugou.events.common.EnrollmentChannel;
import io.fugou.platform.merchant.MerchantId;
import io.fugou.platform.web.paging.Cursor;
import io.fugou.platform.web.paging.Page;
import io.fugou.platform.web.paging.PageRequest;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.springframework.http.HttpStatus;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.Parameter;
import org.springframework.stereotype.Repository;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Reads a merchant's members: one, a filtered list a page at a time, and enrollment counts. */
@Repository
public class Members {

    /** Which members a list shows; null fields do not filter. {@code enrolledBefore} is exclusive. */
    public record Filter(EnrollmentChannel channel, String tier, String recruitmentCode, String referrerCustomerId, Instant enrolledFrom,
                         Instant enrolledBefore, String stage, String paidPlan, Instant now) {
    }

    /** A member with how many buyers they referred. */
    public record WithReferrals(Member member, long referrals) {
    }

    /** Enrollments of one local day, channel, code and tier (the tier the members are in now). */
    public record Count(LocalDate day, EnrollmentChannel channel, String recruitmentCode, String tier, long members) {
    }

    /** Later than any enrollment (PostgreSQL's timestamps end in 294276; Java's later). */
    static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

    private final DatabaseClient db;

    public Members(DatabaseClient db) {
        this.db = db;
    }

    public Mono<WithReferrals> find(MerchantId merchant, String customerId) {
        return db.sql("""
                        select m.*, (select count(*) from member r where r.merchant_id = m.merchant_id and r.referrer_customer_id = m.customer_id)
                                    as referrals
                        from member m where m.merchant_id = :merchant and m.customer_id = :customer""")
                .bind("merchant", merchant.value()).bind("customer", customerId)
                .map((row, meta) -> new WithReferrals(Enrollments.member(row), row.get("referrals", Long.class)))
                .one();
    }

    /** The error for a member the merchant does not have (or another merchant's): 404, saying nothing more. */
    public static ResponseStatusException noSuchMember(String customerId) {
        return new ResponseStatusException(HttpStatus.NOT_FOUND, "No member " + customerId + ".");
    }

    /** The member, or {@link #noSuchMember}. */
    public Mono<WithReferrals> existing(MerchantId merchant, String customerId) {
        return find(merchant, customerId).switchIfEmpty(Mono.error(() -> noSuchMember(customerId)));
    }

    /** The merchant's members that match, the latest enrolled first. */
    public Mono<Page<Member>> list(MerchantId merchant, Filter filter, PageRequest page) {
        var after = page.after(2);
        return db.sql("""
                        select m.* from member m
                        where m.merchant_id = :merchant
                          and (cast(:channel as text) is null or m.channel = :channel)
                          and (cast(:tier as text) is null or m.tier = :tier)
                          and (cast(:code as text) is null or m.recruitment_code = :code)
                          and (cast(:referrer as text) is null or m.referrer_customer_id = :referrer)
                          and (cast(:stage as text) is null or m.stage = :stage)
                          and (cast(:plan as text) is null or exists (select 1 from paid_membership p
                               where p.merchant_id = m.merchant_id and p.customer_id = m.customer_id and p.plan_id = :plan
                                 and p.ended_at is null and p.ends_at > :now))
                          and m.enrolled_at >= :from and m.enrolled_at < :before
                          and (m.enrolled_at, m.customer_id) < (:afterAt, :afterCustomer)
                        order by m.enrolled_at desc, m.customer_id desc limit :limit""")
                .bind("merchant", merchant.value())
                .bind("channel", Parameter.fromOrEmpty(filter.channel() == null ? null : filter.channel().name(), String.class))
                .bind("tier", Parameter.fromOrEmpty(filter.tier(), String.class))
                .bind("code", Parameter.fromOrEmpty(filter.recruitmentCode(), String.class))
                .bind("referrer", Parameter.fromOrEmpty(filter.referrerCustomerId(), String.class))
                .bind("stage", Parameter.fromOrEmpty(filter.stage(), String.class))
                .bind("plan", Parameter.fromOrEmpty(filter.paidPlan(), String.class))
                .bind("now", utc(filter.now()))
                .bind("from", utc(filter.enrolledFrom() == null ? Instant.EPOCH : filter.enrolledFrom()))
                .bind("before", utc(filter.enrolledBefore() == null ? LATEST : filter.enrolledBefore()))
                .bind("afterAt", utc(after.map(cursor -> Instant.ofEpochMilli(cursor.longValue(0))).orElse(LATEST)))
                .bind("afterCustomer", after.map(cursor -> cursor.value(1)).orElse(""))
                .bind("limit", page.fetchSize())
                .map((row, meta) -> Enrollments.member(row))
                .all().collectList()
                .map(rows -> Page.of(rows, page, member -> Cursor.of(Long.toString(member.enrolledAt().toEpochMilli()), member.customerId())));
    }

    /** Enrollments from {@code from} to {@code to} (local days in {@code zone}, both included), per day, channel, code and tier. */
    public Flux<Count> counts(MerchantId merchant, LocalDate from, LocalDate to, ZoneId zone) {
        return db.sql("""
                        select cast(m.enrolled_at at time zone :zone as date) as day, m.channel, m.recruitment_code, m.tier, count(*) as members
                        from member m
                        where m.merchant_id = :merchant and m.enrolled_at >= :from and m.enrolled_at < :to
                        group by 1, 2, 3, 4 order by 1, 2, 3, 4""")
                .bind("merchant", merchant.value())
                .bind("zone", zone.getId())
                .bind("from", from.atStartOfDay(zone).toOffsetDateTime())
                .bind("to", to.plusDays(1).atStartOfDay(zone).toOffsetDateTime())
                .map((row, meta) -> new Count(row.get("day", LocalDate.class), EnrollmentChannel.valueOf(row.get("channel", String.class)),
                        row.get("recruitment_code", String.class), row.get("tier", String.class), row.get("members", Long.class)))
                .all();
    }

    private static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
