package io.fugou.loyalty.orders.events;

import io.fugou.events.Topics;
import io.fugou.events.orders.OrderPaid;
import io.fugou.events.points.EarningSource;
import io.fugou.events.points.PointsEarned;
import io.fugou.events.points.PointsEvent;
import io.fugou.loyalty.orders.PaidOrder;
import io.fugou.loyalty.orders.PaidOrders;
import io.fugou.loyalty.points.BaseRate;
import io.fugou.loyalty.points.Earning;
import io.fugou.loyalty.points.LedgerEntry;
import io.fugou.loyalty.points.PointsLedger;
import io.fugou.platform.kafka.InvalidEventException;
import io.fugou.platform.pipeline.Envelopes;
import io.fugou.platform.pipeline.EventHandler;
import io.fugou.platform.pipeline.Inbound;
import io.fugou.platform.pipeline.Outbound;
import io.fugou.platform.pipeline.SourcePosition;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * A paid order, a batch at a time: the order is recorded once, it earns points at the base rate (one
 * ledger entry per order), and each entry is published on {@code fugou.points.v1} as
 * {@code PointsEarned} with the balance after it and the member's sequence number. A record seen
 * before changes nothing; if it is the very record that created its rows (its Kafka transaction never
 * committed), the same events are rebuilt from those rows.
 */
@Component
public class PaidOrderHandler implements EventHandler<OrderPaid> {

    private final PaidOrders paidOrders;
    private final PointsLedger ledger;

    public PaidOrderHandler(PaidOrders paidOrders, PointsLedger ledger) {
        this.paidOrders = paidOrders;
        this.ledger = ledger;
    }

    @Override
    public void check(Inbound<OrderPaid> event) {
        paidOrder(event);
    }

    @Override
    public Mono<List<Outbound>> apply(List<Inbound<OrderPaid>> events) {
        List<PaidOrder> orders = events.stream().map(PaidOrderHandler::paidOrder).toList();
        List<SourcePosition> sources = events.stream().map(Inbound::position).toList();
        return paidOrders.recordNew(orders, sources).flatMap(created -> {
            List<Earning> earnings = new ArrayList<>();
            List<Inbound<OrderPaid>> seenBefore = new ArrayList<>();
            for (Inbound<OrderPaid> event : events) {
                if (created.contains(event.position())) {
                    earnings.add(earning(event));
                } else {
                    seenBefore.add(event);
                }
            }
            Mono<List<LedgerEntry>> credited = ledger.credit(earnings);
            Mono<List<LedgerEntry>> rebuilt = ledger.createdBy(
                    seenBefore.stream().map(Inbound::merchantId).toList(),
                    seenBefore.stream().map(event -> Earning.entryIdOfOrder(event.payload().getOrderId())).toList(),
                    seenBefore.stream().map(Inbound::position).toList());
            return credited.zipWith(rebuilt, (now, before) -> {
                List<LedgerEntry> entries = new ArrayList<>(now);
                entries.addAll(before);
                // In the order the records came, which is each member's ledger order.
                entries.sort(Comparator.comparing((LedgerEntry entry) -> entry.source().partition())
                        .thenComparing(entry -> entry.source().offset()));
                return entries.stream().map(PaidOrderHandler::earned).toList();
            });
        });
    }

    private static Earning earning(Inbound<OrderPaid> event) {
        OrderPaid paid = event.payload();
        return new Earning(event.member(), Earning.entryIdOfOrder(paid.getOrderId()), paid.getOrderId(),
                BaseRate.pointsFor(paid.getTotal().getAmountMinor()), event.occurredAt(), event.position());
    }

    private static PaidOrder paidOrder(Inbound<OrderPaid> event) {
        OrderPaid paid = event.payload();
        try {
            return new PaidOrder(event.merchantId(), paid.getOrderId(), event.customerId(), event.eventId(),
                    paid.getTotal().getAmountMinor(), paid.getTotal().getCurrency(), paid.getLines().size(), event.occurredAt());
        } catch (IllegalArgumentException e) {
            throw new InvalidEventException("OrderPaid " + paid.getOrderId() + " (event " + event.eventId() + ") is invalid: " + e.getMessage(), e);
        }
    }

    private static Outbound earned(LedgerEntry entry) {
        return Outbound.of(Topics.POINTS, PointsEvent.newBuilder()
                .setEventId(Envelopes.eventId(Topics.POINTS, entry.member().merchantId() + "/" + entry.entryId()))
                .setOccurredAt(entry.occurredAt())
                .setMerchantId(entry.member().merchantId())
                .setCustomerId(entry.member().customerId())
                .setSequence(entry.sequence())
                .setPayload(PointsEarned.newBuilder()
                        .setEntryId(entry.entryId())
                        .setPoints(entry.points())
                        .setSource(EarningSource.ORDER)
                        .setOrderId(entry.orderId())
                        .setRuleIds(List.of(BaseRate.RULE_ID))
                        .setBalanceAfter(entry.balanceAfter())
                        .build())
                .build());
    }
}
