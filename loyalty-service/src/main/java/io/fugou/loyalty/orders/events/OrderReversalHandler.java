package io.fugou.loyalty.orders.events;

import io.fugou.events.orders.OrderCancelled;
import io.fugou.events.orders.OrderRefunded;
import io.fugou.events.orders.RefundedLine;
import io.fugou.loyalty.orders.Clawback;
import io.fugou.loyalty.orders.OrderPoints;
import io.fugou.loyalty.orders.OrderRefunds;
import io.fugou.loyalty.orders.OrderRefunds.AppliedRefund;
import io.fugou.loyalty.orders.OrderRefunds.RefundKey;
import io.fugou.loyalty.orders.PaidOrders;
import io.fugou.loyalty.orders.PaidOrders.OrderKey;
import io.fugou.loyalty.points.LedgerEntry;
import io.fugou.loyalty.points.PendingPointsRelease;
import io.fugou.loyalty.points.PointsEvents;
import io.fugou.loyalty.points.PointsLedger;
import io.fugou.loyalty.points.Posting;
import io.fugou.loyalty.rules.RuleBook;
import io.fugou.platform.kafka.InvalidEventException;
import io.fugou.platform.pipeline.EventHandler;
import io.fugou.platform.pipeline.Inbound;
import io.fugou.platform.pipeline.Outbound;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.avro.specific.SpecificRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Refunds and cancellations, a batch at a time: each takes back what the refunded lines (or money)
 * earned ({@link Clawback}), once per refund id, as a {@code PointsReversed} entry: from pending points
 * while the order's window is open, else from available points, where the merchant's policy decides
 * what happens to points already spent. A refund of an order never credited (never paid here, or
 * dead-lettered) is recorded and takes nothing.
 */
@Component
public class OrderReversalHandler {

    private static final Logger log = LoggerFactory.getLogger(OrderReversalHandler.class);
    /** The refund id a cancellation is recorded under: an order is cancelled once. */
    public static final String CANCELLATION = "cancel";

    private final PaidOrders paidOrders;
    private final OrderRefunds refunds;
    private final PointsLedger ledger;
    private final RuleBook rules;

    public OrderReversalHandler(PaidOrders paidOrders, OrderRefunds refunds, PointsLedger ledger, RuleBook rules) {
        this.paidOrders = paidOrders;
        this.refunds = refunds;
        this.ledger = ledger;
        this.rules = rules;
    }

    public static String reversalEntryId(String orderId, String refundId) {
        return "reversal:" + orderId + ":" + refundId;
    }

    /** One refund or cancellation, read from its event. */
    private record Reversal(Inbound<?> event, RefundKey key, String currency, Clawback.Refund refund) {
    }

    public EventHandler<OrderRefunded> refunds() {
        return new EventHandler<>() {
            @Override
            public void check(Inbound<OrderRefunded> event) {
                reversal(event);
            }

            @Override
            public Mono<List<Outbound>> apply(List<Inbound<OrderRefunded>> events) {
                return reverse(events, OrderReversalHandler::reversal);
            }
        };
    }

    public EventHandler<OrderCancelled> cancellations() {
        return events -> reverse(events, event -> new Reversal(event, new RefundKey(event.merchantId(), event.payload().getOrderId(), CANCELLATION),
                null, new Clawback.Refund(0, true, List.of())));
    }

    private static Reversal reversal(Inbound<OrderRefunded> event) {
        OrderRefunded refund = event.payload();
        String what = "OrderRefunded " + refund.getRefundId() + " of order " + refund.getOrderId() + " (event " + event.eventId() + ") is invalid: ";
        if (refund.getRefundId() == null || refund.getRefundId().isBlank() || CANCELLATION.equals(refund.getRefundId())) {
            throw new InvalidEventException(what + "refundId must name the refund (and not be '" + CANCELLATION + "')", null);
        }
        if (refund.getAmount() == null || refund.getAmount().getAmountMinor() < 0) {
            throw new InvalidEventException(what + "amount must be given and not be negative", null);
        }
        List<Clawback.RefundedPart> parts = new ArrayList<>();
        for (int i = 0; i < refund.getLines().size(); i++) {
            RefundedLine line = refund.getLines().get(i);
            if (line.getQuantity() < 0) {
                throw new InvalidEventException(what + "lines[" + i + "].quantity must not be negative but was " + line.getQuantity(), null);
            }
            if (line.getAmount() != null && (line.getAmount().getAmountMinor() < 0
                    || !line.getAmount().getCurrency().equals(refund.getAmount().getCurrency()))) {
                throw new InvalidEventException(what + "lines[" + i + "].amount must be in the refund's currency and not negative", null);
            }
            parts.add(new Clawback.RefundedPart(line.getLineId(), line.getSku(), line.getQuantity(),
                    line.getAmount() == null ? null : line.getAmount().getAmountMinor()));
        }
        return new Reversal(event, new RefundKey(event.merchantId(), refund.getOrderId(), refund.getRefundId()),
                refund.getAmount().getCurrency(), new Clawback.Refund(refund.getAmount().getAmountMinor(), refund.getFullRefund(), parts));
    }

    private <P extends SpecificRecord> Mono<List<Outbound>> reverse(List<Inbound<P>> events, Function<Inbound<P>, Reversal> read) {
        List<Reversal> all = events.stream().map(read).toList();
        List<RefundKey> keys = all.stream().map(Reversal::key).toList();
        return refunds.known(keys, events.get(0).position().topic()).flatMap(known -> {
            List<Reversal> fresh = new ArrayList<>();
            List<Reversal> seenBefore = new ArrayList<>();
            Set<RefundKey> taken = new HashSet<>(known.keySet());
            for (Reversal reversal : all) {
                if (taken.add(reversal.key())) {
                    fresh.add(reversal);
                } else if (reversal.event().position().equals(known.get(reversal.key()))) {
                    seenBefore.add(reversal);
                }
            }
            Mono<List<LedgerEntry>> applied = fresh.isEmpty() ? Mono.just(List.of()) : apply(fresh);
            Mono<List<LedgerEntry>> rebuilt = ledger.createdBy(seenBefore.stream().map(r -> r.key().merchantId()).toList(),
                    seenBefore.stream().map(r -> reversalEntryId(r.key().orderId(), r.key().refundId())).toList(),
                    seenBefore.stream().map(r -> r.event().position()).toList());
            return applied.zipWith(rebuilt, (now, before) -> {
                List<LedgerEntry> entries = new ArrayList<>(now);
                entries.addAll(before);
                return PointsEvents.of(entries);
            });
        });
    }

    private Mono<List<LedgerEntry>> apply(List<Reversal> fresh) {
        List<OrderKey> orderKeys = fresh.stream().map(r -> new OrderKey(r.key().merchantId(), r.key().orderId())).distinct().toList();
        return paidOrders.lockPoints(orderKeys).zipWith(rules.versionsOf(fresh.stream().map(r -> r.key().merchantId()).toList()))
                .flatMap(both -> {
                    Map<OrderKey, OrderPoints> orders = both.getT1();
                    Map<OrderKey, OrderPoints> changed = new LinkedHashMap<>();
                    List<AppliedRefund> applied = new ArrayList<>();
                    List<Posting> postings = new ArrayList<>();
                    for (Reversal reversal : fresh) {
                        OrderKey orderKey = new OrderKey(reversal.key().merchantId(), reversal.key().orderId());
                        OrderPoints before = orders.get(orderKey);
                        Inbound<?> event = reversal.event();
                        if (before == null) {
                            log.info("{} of order {} (merchant {}) takes back nothing: no points were credited for that order",
                                    reversal.key().refundId(), reversal.key().orderId(), reversal.key().merchantId());
                            applied.add(new AppliedRefund(reversal.key(), reversal.refund().amountMinor(), 0, event.position()));
                            continue;
                        }
                        if (reversal.currency() != null && !reversal.currency().equals(before.currency())) {
                            throw new InvalidEventException("OrderRefunded " + reversal.key().refundId() + " is in " + reversal.currency()
                                    + " but order " + reversal.key().orderId() + " was paid in " + before.currency(), null);
                        }
                        if (!before.member().equals(event.member())) {
                            throw new InvalidEventException("the refund of order " + reversal.key().orderId() + " names customer "
                                    + event.customerId() + " but the order was paid by " + before.member().customerId(), null);
                        }
                        OrderPoints after = Clawback.apply(before, reversal.refund());
                        long taken = after.reversedPoints() - before.reversedPoints();
                        orders.put(orderKey, after);
                        changed.put(orderKey, after);
                        applied.add(new AppliedRefund(reversal.key(), reversal.refund().amountMinor(), taken, event.position()));
                        if (taken > 0) {
                            postings.add(Posting.reversed(event.member(), reversalEntryId(reversal.key().orderId(), reversal.key().refundId()),
                                    taken, !before.released(), both.getT2().inForce(event.merchantId(), event.occurredAt()).rules().refundShortfall(),
                                    reversal.key().orderId(), CANCELLATION.equals(reversal.key().refundId()) ? null : reversal.key().refundId(),
                                    // its own points first: the lot its earning or its release made
                                    before.availableAt() == null ? PaidOrderHandler.earningEntryId(before.orderId())
                                            : PendingPointsRelease.releaseEntryId(before.orderId()),
                                    event.occurredAt(), event.position()));
                        }
                    }
                    return refunds.insert(applied).flatMap(inserted -> inserted == applied.size()
                            ? paidOrders.storeReversals(new ArrayList<>(changed.values())).then(ledger.post(postings))
                            : Mono.error(new IllegalStateException("another writer applied " + (applied.size() - inserted)
                                    + " of these refunds meanwhile; the batch is applied again")));
                });
    }
}
