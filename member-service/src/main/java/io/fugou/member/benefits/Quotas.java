package io.fugou.member.benefits;

import io.fugou.member.program.MembershipProgram;
import io.fugou.member.program.MembershipProgram.Benefits;
import io.fugou.member.program.Programs;
import io.fugou.member.enrollment.Members;
import io.fugou.platform.merchant.MerchantId;
import io.fugou.platform.web.InvalidFieldException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.http.HttpStatus;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Service;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Mono;

/**
 * Monthly quotas of a benefit (free services a month by tier), checked and consumed by the shop: each use once under the
 * shop's id of it, never more than the member's allowance in the month, which starts afresh on the first of each month
 * in the merchant's zone. The allowance is what the member's benefits give when the use is made.
 */
@Service
public class Quotas {

    /** A quota this month: how many the member may use, has used, and has left, from {@code periodStart} to before {@code periodEnd}. */
    public record Status(String benefit, int perMonth, long used, long left, LocalDate periodStart, LocalDate periodEnd) {
    }

    /** A use: {@code created} false when the shop's id was used before (its use answered again). */
    public record Use(String benefit, String useId, Instant usedAt, boolean created, Status after) {
    }

    private final DatabaseClient db;
    private final MemberBenefits benefits;
    private final Programs programs;

    public Quotas(DatabaseClient db, MemberBenefits benefits, Programs programs) {
        this.db = db;
        this.benefits = benefits;
        this.programs = programs;
    }

    /** The member's quotas this month. */
    public Mono<List<Status>> status(MerchantId merchant, String customerId, Instant now) {
        return programs.inForce(merchant, now).flatMap(version -> benefits.of(merchant, customerId, now)
                .switchIfEmpty(Mono.error(() -> Members.noSuchMember(customerId)))
                .flatMap(given -> {
            LocalDate period = periodStart(version.program(), now);
            return used(merchant, customerId, period).map(used -> given.monthlyQuotas().stream()
                    .map(quota -> status(quota.benefit(), quota.perMonth(), used.getOrDefault(quota.benefit(), 0L), period)).toList());
        }));
    }

    /**
     * Uses one of a benefit this month (in the caller's transaction: the member is locked, so racing uses cannot both take
     * the last one). Refused when the member's benefits give none of it, or none is left this month.
     */
    public Mono<Use> use(MerchantId merchant, String customerId, String benefit, String useId, Instant now) {
        if (useId == null || useId.isBlank() || useId.length() > 200) {
            throw new InvalidFieldException("useId", "must be the shop's id of this use (1 to 200 characters), so a retry counts once");
        }
        return db.sql("select customer_id from member where merchant_id = :merchant and customer_id = :customer for update")
                .bind("merchant", merchant.value()).bind("customer", customerId)
                .map((row, meta) -> row.get("customer_id", String.class)).one()
                .switchIfEmpty(Mono.error(() -> Members.noSuchMember(customerId)))
                .then(programs.inForce(merchant, now)).flatMap(version -> benefits.of(merchant, customerId, now).flatMap(given -> {
                    LocalDate period = periodStart(version.program(), now);
                    return earlier(merchant, benefit, useId).flatMap(before -> {
                        if (!before.customerId().equals(customerId)) {
                            return Mono.<Use>error(new InvalidFieldException("useId", "was used for another member"));
                        }
                        return used(merchant, customerId, before.period()).map(used -> new Use(benefit, useId, before.usedAt(), false,
                                status(benefit, given.perMonth(benefit), used.getOrDefault(benefit, 0L), before.period())));
                    }).switchIfEmpty(Mono.defer(() -> used(merchant, customerId, period).flatMap(used -> {
                        int allowed = given.perMonth(benefit);
                        long taken = used.getOrDefault(benefit, 0L);
                        if (allowed == 0) {
                            return Mono.error(new ResponseStatusException(HttpStatus.CONFLICT,
                                    "The member's benefits give no '" + benefit + "'."));
                        }
                        if (taken >= allowed) {
                            return Mono.error(new ResponseStatusException(HttpStatus.CONFLICT, "No '" + benefit + "' left this month: " + taken + " of "
                                    + allowed + " used; more from " + period.plusMonths(1) + "."));
                        }
                        return db.sql("""
                                        insert into quota_use (merchant_id, benefit, use_id, customer_id, period_start, used_at)
                                        values (:merchant, :benefit, :useId, :customer, :period, :now)""")
                                .bind("merchant", merchant.value()).bind("benefit", benefit).bind("useId", useId).bind("customer", customerId)
                                .bind("period", period).bind("now", OffsetDateTime.ofInstant(now, ZoneOffset.UTC))
                                .then()
                                // The same id used at the same moment for another member (whose lock is not this one).
                                .onErrorMap(DataIntegrityViolationException.class, e -> new InvalidFieldException("useId", "was used for another member"))
                                .thenReturn(new Use(benefit, useId, now, true, status(benefit, allowed, taken + 1, period)));
                    })));
                }));
    }

    private record Earlier(String customerId, LocalDate period, Instant usedAt) {
    }

    private Mono<Earlier> earlier(MerchantId merchant, String benefit, String useId) {
        return db.sql("select customer_id, period_start, used_at from quota_use where merchant_id = :merchant and benefit = :benefit and use_id = :useId")
                .bind("merchant", merchant.value()).bind("benefit", benefit).bind("useId", useId)
                .map((row, meta) -> new Earlier(row.get("customer_id", String.class), row.get("period_start", LocalDate.class),
                        row.get("used_at", OffsetDateTime.class).toInstant()))
                .one();
    }

    private Mono<Map<String, Long>> used(MerchantId merchant, String customerId, LocalDate period) {
        return db.sql("""
                        select benefit, count(*) as used from quota_use
                        where merchant_id = :merchant and customer_id = :customer and period_start = :period group by benefit""")
                .bind("merchant", merchant.value()).bind("customer", customerId).bind("period", period)
                .map((row, meta) -> Map.entry(row.get("benefit", String.class), ((Number) row.get("used")).longValue()))
                .all().collectMap(Map.Entry::getKey, Map.Entry::getValue);
    }

    private static LocalDate periodStart(MembershipProgram program, Instant now) {
        return LocalDate.ofInstant(now, program.zone()).withDayOfMonth(1);
    }

    private static Status status(String benefit, int perMonth, long used, LocalDate period) {
        return new Status(benefit, perMonth, used, Math.max(0, perMonth - used), period, period.plusMonths(1));
    }

    /** Benefits a member has now, for callers that show them. */
    public Mono<Benefits> benefitsOf(MerchantId merchant, String customerId, Instant now) {
        return benefits.of(merchant, customerId, now);
    }
}
