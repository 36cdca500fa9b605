package io.fugou.member.tiers;

import io.fugou.platform.merchant.MerchantId;
import io.fugou.platform.pipeline.Outbox;
import io.fugou.platform.schedule.DailyJob;
import io.fugou.member.program.Programs;
import java.time.Clock;
import java.time.LocalDate;
import java.time.LocalTime;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Once a day, just after the merchant's midnight: manual tiers whose day has come end, and when a qualification
 * period has begun its review runs (once per period, however often the job runs or on how many instances).
 */
@Component
public class TierReview implements DailyJob {

    private final Tiers tiers;
    private final Programs programs;
    private final Outbox outbox;
    private final Clock clock;

    public TierReview(Tiers tiers, Programs programs, Outbox outbox, Clock clock) {
        this.outbox = outbox;
        this.tiers = tiers;
        this.programs = programs;
        this.clock = clock;
    }

    @Override
    public String name() {
        return "members.tier-review";
    }

    @Override
    public LocalTime at() {
        return LocalTime.of(0, 20);
    }

    @Override
    public Mono<Void> run(MerchantId merchant, LocalDate day) {
        return programs.inForce(merchant, clock.instant()).flatMap(version -> tiers.expireManual(merchant, day, clock.instant())
                .then(tiers.review(merchant, version.program().qualificationPeriod().startOf(day), version, clock.instant())))
                .then()
                .as(outbox::appendingOnceAtTheEnd);
    }
}
