package io.fugou.loyalty.points;

import io.fugou.loyalty.orders.OrderPoints;
import io.fugou.loyalty.orders.PaidOrders;
import io.fugou.loyalty.rules.ReturnWindow;
import io.fugou.loyalty.rules.RuleBook;
import io.fugou.platform.merchant.MerchantId;
import io.fugou.platform.pipeline.Outbox;
import io.fugou.platform.schedule.DailyJob;
import java.time.Clock;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.List;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Once a day, just after the merchant's midnight (when return windows close): the pending points of
 * every order whose window has closed become available, one {@code PointsAvailable} entry per order,
 * its event through the outbox. The order is marked released in the same transaction, so running the
 * job twice (or on two instances) releases nothing twice.
 */
@Component
public class PendingPointsRelease implements DailyJob {

    private static final int ORDERS_PER_ROUND = 1_000;

    private final PaidOrders paidOrders;
    private final PointsLedger ledger;
    private final RuleBook rules;
    private final Outbox outbox;
    private final Clock clock;

    public PendingPointsRelease(PaidOrders paidOrders, PointsLedger ledger, RuleBook rules, Outbox outbox, Clock clock) {
        this.paidOrders = paidOrders;
        this.ledger = ledger;
        this.rules = rules;
        this.outbox = outbox;
        this.clock = clock;
    }

    public static String releaseEntryId(String orderId) {
        return "release:" + orderId;
    }

    @Override
    public String name() {
        return "loyalty.release-pending-points";
    }

    @Override
    public LocalTime at() {
        return LocalTime.of(0, 5);
    }

    @Override
    public Mono<Void> run(MerchantId merchant, LocalDate day) {
        return releaseDue(merchant);
    }

    /** Releases what is due now, a round of orders at a time, until none is left. */
    public Mono<Void> releaseDue(MerchantId merchant) {
        return paidOrders.dueForRelease(merchant, clock.instant(), ORDERS_PER_ROUND).collectList()
                .zipWith(rules.versionsOf(List.of(merchant.value()))).flatMap(both -> {
            List<OrderPoints> due = both.getT1();
            if (due.isEmpty()) {
                return Mono.<Void>empty();
            }
            // They expire counted from the day they became available, by the rules in force then.
            List<Posting> postings = due.stream()
                    .filter(order -> order.points() - order.reversedPoints() > 0)
                    .map(order -> Posting.released(order.member(), releaseEntryId(order.orderId()), order.points() - order.reversedPoints(),
                            order.orderId(), ReturnWindow.pointsExpireAfter(both.getT2().inForce(merchant.value(), order.availableAt()).rules(),
                                    order.availableAt()), order.availableAt()))
                    .toList();
            Mono<Void> round = ledger.post(postings)
                    .flatMap(entries -> outbox.append(PointsEvents.of(entries)))
                    .then(paidOrders.markReleased(merchant, due.stream().map(OrderPoints::orderId).toList()));
            return due.size() < ORDERS_PER_ROUND ? round : round.then(Mono.defer(() -> releaseDue(merchant)));
        });
    }
}
