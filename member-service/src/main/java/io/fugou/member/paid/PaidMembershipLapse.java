package io.fugou.member.paid;

import io.fugou.platform.merchant.MerchantId;
import io.fugou.platform.schedule.DailyJob;
import java.time.Clock;
import java.time.LocalDate;
import java.time.LocalTime;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Once a day, just after the merchant's midnight: paid memberships whose term has run out lapse, each at its term's end.
 * It looks at what is due rather than at the day it is given, so a missed day is caught up, and running it twice lapses
 * nothing twice.
 */
@Component
class PaidMembershipLapse implements DailyJob {

    private final PaidMemberships paidMemberships;
    private final Clock clock;

    PaidMembershipLapse(PaidMemberships paidMemberships, Clock clock) {
        this.paidMemberships = paidMemberships;
        this.clock = clock;
    }

    @Override
    public String name() {
        return "members.paid-membership-lapse";
    }

    @Override
    public LocalTime at() {
        return LocalTime.of(0, 10);
    }

    @Override
    public Mono<Void> run(MerchantId merchant, LocalDate day) {
        return paidMemberships.lapseDue(merchant, clock.instant()).then();
    }
}
