package io.fugou.loyalty.points;

import io.fugou.events.Topics;
import io.fugou.events.points.PointsEvent;
import io.fugou.events.points.PointsExpiringSoon;
import io.fugou.loyalty.rules.EarningRules;
import io.fugou.loyalty.rules.RuleBook;
import io.fugou.platform.merchant.MerchantId;
import io.fugou.platform.pipeline.Envelopes;
import io.fugou.platform.pipeline.Outbound;
import io.fugou.platform.pipeline.Outbox;
import io.fugou.platform.schedule.DailyJob;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Once a day, {@code PointsExpiringSoon} for the points whose last day is {@code expiringSoonDays} days
 * ahead, one event per member, so campaigns can remind them (a coupon to spend them
 * on). Not a ledger entry, but numbered in the member's sequence like every event on the topic. The
 * platform runs it once per merchant and day; its events go through the outbox with the run's record.
 */
@Component
public class ExpiringSoonNotice implements DailyJob {

    private static final int PER_ROUND = 1_000;

    private final PointsLots lots;
    private final RuleBook rules;
    private final PointsLedger ledger;
    private final Outbox outbox;
    private final Clock clock;

    public ExpiringSoonNotice(PointsLots lots, RuleBook rules, PointsLedger ledger, Outbox outbox, Clock clock) {
        this.lots = lots;
        this.rules = rules;
        this.ledger = ledger;
        this.outbox = outbox;
        this.clock = clock;
    }

    @Override
    public String name() {
        return "loyalty.points-expiring-soon";
    }

    @Override
    public LocalTime at() {
        return LocalTime.of(0, 15);
    }

    @Override
    public Mono<Void> run(MerchantId merchant, LocalDate day) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        return rules.inForce(merchant, now).flatMap(version -> {
            EarningRules programme = version.rules();
            LocalDate lastDay = day.plusDays(programme.expiringSoonDays());
            // Points whose last usable day is lastDay expire at its end: the start of the next day.
            Instant from = lastDay.atStartOfDay(programme.zone()).toInstant();
            Instant until = lastDay.plusDays(1).atStartOfDay(programme.zone()).toInstant();
            return notify(merchant, "", from, until, now);
        });
    }

    private Mono<Void> notify(MerchantId merchant, String afterCustomer, Instant from, Instant until, Instant now) {
        return lots.expiringAfter(merchant.value(), afterCustomer, from, until, PER_ROUND).flatMap(expiring -> {
            if (expiring.isEmpty()) {
                return Mono.<Void>empty();
            }
            Mono<Void> round = ledger.number(expiring.stream().map(PointsLots.Expiring::member).toList())
                    .flatMap(numbers -> {
                        List<Outbound> events = new ArrayList<>();
                        for (int i = 0; i < expiring.size(); i++) {
                            PointsLots.Expiring soon = expiring.get(i);
                            events.add(Outbound.of(Topics.POINTS, PointsEvent.newBuilder()
                                    .setEventId(Envelopes.eventId(Topics.POINTS, merchant.value() + "/expiring-soon:" + soon.member().customerId()
                                            + ":" + soon.expiresAt()))
                                    .setOccurredAt(now)
                                    .setMerchantId(merchant.value())
                                    .setCustomerId(soon.member().customerId())
                                    .setSequence(numbers.get(i))
                                    .setPayload(PointsExpiringSoon.newBuilder().setPoints(soon.points()).setExpiresAt(soon.expiresAt()).build())
                                    .build()));
                        }
                        return outbox.append(events);
                    });
            String last = expiring.get(expiring.size() - 1).member().customerId();
            return expiring.size() < PER_ROUND ? round : round.then(Mono.defer(() -> notify(merchant, last, from, until, now)));
        });
    }
}
