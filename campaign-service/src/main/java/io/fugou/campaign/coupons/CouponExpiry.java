package io.fugou.campaign.coupons;

import io.fugou.platform.merchant.MerchantId;
import io.fugou.platform.schedule.DailyJob;
import java.time.Clock;
import java.time.LocalDate;
import java.time.LocalTime;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/** Once a day, just after the merchant's midnight: coupons whose time ran out expire ({@code CouponExpired}); twice expires nothing twice. */
@Component
class CouponExpiry implements DailyJob {

    private final Coupons coupons;
    private final Clock clock;

    CouponExpiry(Coupons coupons, Clock clock) {
        this.coupons = coupons;
        this.clock = clock;
    }

    @Override
    public String name() {
        return "campaigns.coupon-expiry";
    }

    @Override
    public LocalTime at() {
        return LocalTime.of(0, 30);
    }

    @Override
    public Mono<Void> run(MerchantId merchant, LocalDate day) {
        return coupons.expire(merchant, clock.instant()).then();
    }
}
