package io.fugou.member.tiers;

import io.fugou.member.program.MembershipProgram;
import io.fugou.platform.merchant.MerchantId;
import io.fugou.platform.schedule.MerchantCalendar;
import java.time.ZoneId;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;

/** The merchants the daily jobs visit: those with members, each in the zone of the programme version in force. */
@Component
class MemberCalendar implements MerchantCalendar {

    private final DatabaseClient db;
    private final java.time.Clock clock;

    MemberCalendar(DatabaseClient db, java.time.Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    @Override
    public Flux<MerchantZone> merchants() {
        String fallback = MembershipProgram.defaults().timeZone();
        return db.sql("""
                        -- across merchants: the merchants with members, each in the zone of its programme in force
                        select m.merchant_id,
                               (select p.program ->> 'timeZone' from membership_program p
                                where p.merchant_id = m.merchant_id and p.effective_from <= :now order by p.effective_from desc limit 1) as zone
                        from (select distinct merchant_id from member) m""")
                .bind("now", java.time.OffsetDateTime.ofInstant(clock.instant(), java.time.ZoneOffset.UTC))
                .map((row, meta) -> {
                    String zone = row.get("zone", String.class);
                    return new MerchantZone(new MerchantId(row.get("merchant_id", String.class)), ZoneId.of(zone == null ? fallback : zone));
                })
                .all();
    }
}
