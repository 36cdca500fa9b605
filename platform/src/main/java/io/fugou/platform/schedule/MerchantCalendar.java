package io.fugou.platform.schedule;

import io.fugou.platform.merchant.MerchantId;
import java.time.ZoneId;
import reactor.core.publisher.Flux;

/** The merchants a service serves and each one's time zone, for {@link DailyJob}s. A service with daily jobs declares one. */
public interface MerchantCalendar {

    /** A merchant and the zone its days are counted in. */
    record MerchantZone(MerchantId merchant, ZoneId zone) {
    }

    Flux<MerchantZone> merchants();
}
