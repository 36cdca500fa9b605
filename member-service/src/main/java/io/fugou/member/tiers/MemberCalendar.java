package io.fugou.member.tiers;

import io.fugou.member.program.MembershipProgram;
import io.fugou.platform.merchant.MerchantId;
import io.fugou.platform.schedule.MerchantCalendar;
import java.time.ZoneId;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;

/** The merchants the daily jobs visit: those with members, each in the zone of its latest programme version. */
@Component
class MemberCalendar implements MerchantCalendar {

    private final DatabaseClient db;

    MemberCalendar(DatabaseClient db) {
        this.db = db;
    }

    @Override
    public Flux<MerchantZone> merchants() {
        String fallback = MembershipProgram.defaults().timeZone();
        return db.sql("""
                        -- across merchants: the merchants with members, each in the zone of its latest programme
                        select m.merchant_id,
                               (select p.program ->> 'timeZone' from membership_program p
                                where p.merchant_id = m.merchant_id order by p.effective_from desc limit 1) as zone
                        from (select distinct merchant_id from member) m""")
                .map((row, meta) -> {
                    String zone = row.get("zone", String.class);
                    return new MerchantZone(new MerchantId(row.get("merchant_id", String.class)), ZoneId.of(zone == null ? fallback : zone));
                })
                .all();
    }
}
