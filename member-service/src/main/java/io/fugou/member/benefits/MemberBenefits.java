package io.fugou.member.benefits;

import io.fugou.member.program.MembershipProgram.Benefits;
import io.fugou.member.program.Programs;
import io.fugou.platform.merchant.MerchantId;
import java.time.Instant;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/** What a member is given now: their tier's benefits, and those of a paid plan they hold, the better of each; empty for a non-member. */
@Component
public class MemberBenefits {

    private final DatabaseClient db;
    private final Programs programs;

    public MemberBenefits(DatabaseClient db, Programs programs) {
        this.db = db;
        this.programs = programs;
    }

    public Mono<Benefits> of(MerchantId merchant, String customerId, Instant now) {
        return programs.inForce(merchant, now).flatMap(version -> db.sql("""
                        select m.tier, (select string_agg(p.plan_id, ',') from paid_membership p
                                        where p.merchant_id = m.merchant_id and p.customer_id = m.customer_id and p.ends_at > :now
                                          and p.ended_at is null) as plans
                        from member m where m.merchant_id = :merchant and m.customer_id = :customer""")
                .bind("merchant", merchant.value()).bind("customer", customerId).bind("now", java.time.OffsetDateTime.ofInstant(now, java.time.ZoneOffset.UTC))
                .map((row, meta) -> {
                    Benefits given = version.program().benefitsOf(row.get("tier", String.class));
                    String plans = row.get("plans", String.class);
                    if (plans != null) {
                        for (String plan : plans.split(",")) {
                            given = given.with(version.program().planBenefits(plan));
                        }
                    }
                    return given;
                })
                .one());
    }
}
