package io.fugou.loyalty.points;

import io.fugou.events.MemberKey;
import io.fugou.platform.merchant.MerchantId;
import io.fugou.platform.pipeline.Outbox;
import io.fugou.platform.schedule.DailyJob;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Once a day, just after the merchant's midnight (when lots expire): each member's points left in lots
 * that have expired leave the balance as one {@code PointsExpired} entry, oldest lots first. The job is
 * safe to run twice (a lot emptied once has nothing left to expire) and on several instances (the
 * platform runs it once per merchant and day). The amount is read again under the member's lock, so a
 * redemption confirmed at the same moment can never make it expire points already spent.
 */
@Component
public class PointsExpiry implements DailyJob {

    private static final int MEMBERS_PER_ROUND = 500;

    private final PointsLots lots;
    private final PointsLedger ledger;
    private final Outbox outbox;
    private final Clock clock;

    public PointsExpiry(PointsLots lots, PointsLedger ledger, Outbox outbox, Clock clock) {
        this.lots = lots;
        this.ledger = ledger;
        this.outbox = outbox;
        this.clock = clock;
    }

    @Override
    public String name() {
        return "loyalty.expire-points";
    }

    @Override
    public LocalTime at() {
        return LocalTime.of(0, 10);
    }

    @Override
    public Mono<Void> run(MerchantId merchant, LocalDate day) {
        return expireDue(merchant, day, clock.instant().truncatedTo(ChronoUnit.MILLIS));
    }

    Mono<Void> expireDue(MerchantId merchant, LocalDate day, Instant now) {
        return lots.expired(merchant.value(), now, MEMBERS_PER_ROUND).flatMap(due -> {
            if (due.isEmpty()) {
                return Mono.<Void>empty();
            }
            List<MemberKey> members = new ArrayList<>(due.keySet());
            List<Posting> postings = members.stream()
                    .map(member -> Posting.expired(member, "expiry:" + member.customerId() + ":" + day, due.get(member), now))
                    .toList();
            Mono<Void> round = ledger.post(postings, before -> lots.expiredOf(members, now)
                            .flatMap(locked -> unchanged(due, locked) ? Mono.<Void>empty() : Mono.error(new IllegalStateException(
                                    "points of these members moved while their expiry was worked out; it runs again at the next check"))))
                    .flatMap(entries -> outbox.append(PointsEvents.of(entries)));
            return due.size() < MEMBERS_PER_ROUND ? round : round.then(Mono.defer(() -> expireDue(merchant, day, now)));
        });
    }

    private static boolean unchanged(Map<MemberKey, Long> due, Map<MemberKey, Long> locked) {
        return due.entrySet().stream().allMatch(entry -> entry.getValue().equals(locked.get(entry.getKey())));
    }
}
