package io.fugou.campaign.coupons;

import io.fugou.platform.merchant.MerchantId;
import io.fugou.platform.schedule.MerchantCalendar;
import java.time.ZoneId;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;

/** The merchants the daily jobs visit: those with campaigns, each in the zone of its latest campaign's schedule (Shanghai by default). */
@Component
class CouponCalendar implements MerchantCalendar {

    private final DatabaseClient db;

    CouponCalendar(DatabaseClient db) {
        this.db = db;
    }

    @Override
    public Flux<MerchantZone> merchants() {
        return db.sql("""
                        -- across merchants: the merchants with campaigns, each in the zone of its latest campaign
                        select distinct on (merchant_id) merchant_id, definition -> 'schedule' ->> 'timeZone' as zone
                        from campaign order by merchant_id, created_at desc""")
                .map((row, meta) -> {
                    String zone = row.get("zone", String.class);
                    return new MerchantZone(new MerchantId(row.get("merchant_id", String.class)), ZoneId.of(zone == null ? "Asia/Shanghai" : zone));
                })
                .all();
    }
}
