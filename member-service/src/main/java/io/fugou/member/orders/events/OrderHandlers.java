package io.fugou.member.orders.events;

import io.fugou.events.common.EnrollmentChannel;
import io.fugou.events.orders.OrderCancelled;
import io.fugou.events.orders.OrderPaid;
import io.fugou.events.orders.OrderRefunded;
import io.fugou.member.enrollment.EnrollmentRequest;
import io.fugou.member.enrollment.Enrollments;
import io.fugou.events.common.Money;
import io.fugou.events.orders.OrderLine;
import io.fugou.member.paid.PaidMemberships;
import io.fugou.member.paid.PaidMemberships.Purchase;
import io.fugou.member.program.MembershipProgram;
import io.fugou.member.program.ProgramVersion;
import io.fugou.member.program.Programs;
import io.fugou.member.tiers.GrowthLedger;
import io.fugou.member.tiers.GrowthLedger.Entry;
import io.fugou.member.tiers.GrowthLedger.OrderGrowth;
import io.fugou.member.tiers.GrowthLedger.Source;
import io.fugou.member.tiers.Tiers;
import io.fugou.platform.pipeline.EventHandler;
import io.fugou.platform.pipeline.Inbound;
import io.fugou.platform.pipeline.Outbound;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * What the shop's orders do to membership: a paid order may enroll its buyer (the auto-enrollment rule in force at
 * its time) and adds growth, which may lift a member's tier at once; a refund takes back its share of the order's
 * growth and a cancellation the rest (the tier follows at the end of the qualification period). Events go through the
 * outbox, so the handlers publish nothing directly.
 */
@Component
class OrderHandlers {

    private final Programs programs;
    private final Enrollments enrollments;
    private final GrowthLedger growth;
    private final Tiers tiers;
    private final PaidMemberships paidMemberships;

    OrderHandlers(Programs programs, Enrollments enrollments, GrowthLedger growth, Tiers tiers, PaidMemberships paidMemberships) {
        this.paidMemberships = paidMemberships;
        this.programs = programs;
        this.enrollments = enrollments;
        this.growth = growth;
        this.tiers = tiers;
    }

    EventHandler<OrderPaid> paid() {
        return events -> programs.versionsOf(events.stream().map(Inbound::merchantId).toList()).flatMap(versions -> {
            List<EnrollmentRequest> qualifying = new ArrayList<>();
            List<Entry> entries = new ArrayList<>();
            List<Purchase> purchases = new ArrayList<>();
            for (Inbound<OrderPaid> event : events) {
                ProgramVersion version = versions.inForce(event.merchantId(), event.occurredAt());
                MembershipProgram program = version.program();
                String currency = event.payload().getTotal().getCurrency();
                long paid = event.payload().getTotal().getAmountMinor();
                List<Purchase> plansBought = plansBought(event, program);
                EnrollmentChannel channel = program.enrollsThrough(currency, paid);
                if (channel != null) {
                    qualifying.add(new EnrollmentRequest(event.member(), channel, null, null, null, version.autoEnrollmentRuleId(), null,
                            event.occurredAt()));
                } else if (!plansBought.isEmpty()) {
                    // Buying a paid plan makes the buyer a member.
                    qualifying.add(new EnrollmentRequest(event.member(), EnrollmentChannel.PURCHASE, null, null, null,
                            "paid-plan:" + plansBought.get(0).planId(), null, event.occurredAt()));
                }
                purchases.addAll(plansBought);
                String orderId = event.payload().getOrderId();
                entries.add(new Entry(event.member(), Source.ORDER, orderId, orderId, program.spendGrowth(currency, paid), Math.max(0, paid),
                        event.occurredAt()));
            }
            return enrollments.enroll(qualifying, Enrollments.Unresolved.ENROLL_WITHOUT)
                    .then(growth.record(entries))
                    .flatMap(recorded -> tiers.upgradeAfterGrowth(GrowthLedger.latestGrowth(recorded)))
                    .then(paidMemberships.purchase(purchases));
        }).thenReturn(List.<Outbound>of());
    }

    /** The order's lines of paid plans' SKUs, one purchase per line (a unit a term). */
    private static List<Purchase> plansBought(Inbound<OrderPaid> event, MembershipProgram program) {
        List<Purchase> bought = new ArrayList<>();
        for (OrderLine line : event.payload().getLines()) {
            MembershipProgram.PaidPlan plan = line.getSku() == null ? null : program.planSoldAs(line.getSku());
            if (plan != null && line.getQuantity() > 0) {
                bought.add(new Purchase(event.member(), plan.planId(), plan.termMonths(), event.payload().getOrderId() + "/" + line.getSku(),
                        event.payload().getOrderId(), line.getQuantity(), paid(line), event.occurredAt(), program.zone()));
            }
        }
        return bought;
    }

    EventHandler<OrderRefunded> refunded() {
        EventHandler<OrderRefunded> growthBack = events -> takeBack(events, event -> event.payload().getOrderId(), (event, order) -> {
            if (event.payload().getFullRefund() || order.basisMinor() <= 0) {
                return order.remaining();
            }
            // In proportion to all the order's refunds so far, rounded down once (so refunds in parts leave nothing behind),
            // less what earlier refunds took; never more than is left.
            long refundedSoFar = order.refundedMinor() + refunded(event);
            long owed = BigInteger.valueOf(order.growth()).multiply(BigInteger.valueOf(Math.min(refundedSoFar, order.basisMinor())))
                    .divide(BigInteger.valueOf(order.basisMinor())).longValueExact();
            return Math.max(0, Math.min(owed - order.takenBack(), order.remaining()));
        }, event -> new Cause(Source.REFUND, event.payload().getOrderId() + "/" + event.payload().getRefundId()), OrderHandlers::refunded);
        // A refund of the whole order, or of a line of a plan's SKU, ends the paid membership it bought.
        return events -> growthBack.apply(events).then(programs.versionsOf(events.stream().map(Inbound::merchantId).toList()).flatMap(versions -> {
            List<Inbound<OrderRefunded>> ending = events.stream().filter(event -> event.payload().getFullRefund()
                    || event.payload().getLines().stream().anyMatch(line -> line.getSku() != null && line.getQuantity() > 0
                            && versions.inForce(event.merchantId(), event.occurredAt()).program().planSoldAs(line.getSku()) != null)).toList();
            return paidMemberships.endBoughtIn(ending.stream().map(Inbound::member).toList(), ending.stream().map(event -> event.payload().getOrderId()).toList(),
                    ending.stream().map(Inbound::occurredAt).toList());
        })).thenReturn(List.of());
    }

    EventHandler<OrderCancelled> cancelled() {
        EventHandler<OrderCancelled> growthBack = events -> takeBack(events, event -> event.payload().getOrderId(), (event, order) -> order.remaining(),
                event -> new Cause(Source.CANCELLATION, event.payload().getOrderId()), event -> null);
        return events -> growthBack.apply(events).then(paidMemberships.endBoughtIn(events.stream().map(Inbound::member).toList(),
                events.stream().map(event -> event.payload().getOrderId()).toList(), events.stream().map(Inbound::occurredAt).toList()))
                .thenReturn(List.of());
    }

    /** What the line cost the buyer: its paidAmount, or (from a shop that does not send it) the unit price times the quantity less its discount. */
    private static Money paid(OrderLine line) {
        if (line.getPaidAmount() != null) {
            return line.getPaidAmount();
        }
        long discount = line.getLineDiscount() == null ? 0 : line.getLineDiscount().getAmountMinor();
        return Money.newBuilder().setCurrency(line.getUnitPrice().getCurrency())
                .setAmountMinor(Math.max(0, line.getUnitPrice().getAmountMinor() * line.getQuantity() - discount)).build();
    }

    private static Long refunded(Inbound<OrderRefunded> event) {
        return Math.max(0, event.payload().getAmount().getAmountMinor());
    }

    private record Cause(Source source, String id) {
    }

    private interface Share<P extends org.apache.avro.specific.SpecificRecord> {
        long of(Inbound<P> event, OrderGrowth order);
    }

    /** Takes back growth from the orders named, in event order (several refunds of one order in a batch share what is left). */
    private <P extends org.apache.avro.specific.SpecificRecord> Mono<List<Outbound>> takeBack(List<Inbound<P>> events, Function<Inbound<P>, String> orderOf,
                                                                                              Share<P> share, Function<Inbound<P>, Cause> cause,
                                                                                              Function<Inbound<P>, Long> refundedMinor) {
        return growth.ofOrders(events.stream().map(Inbound::merchantId).toList(), events.stream().map(orderOf).toList()).flatMap(orders -> {
            Map<String, OrderGrowth> left = new HashMap<>(orders);
            List<Entry> entries = new ArrayList<>();
            for (Inbound<P> event : events) {
                String key = GrowthLedger.orderKey(event.merchantId(), orderOf.apply(event));
                OrderGrowth order = left.get(key);
                if (order == null || order.remaining() <= 0) {
                    continue; // an order never seen earned nothing here, and one taken back wholly has nothing left
                }
                long taken = share.of(event, order);
                Long money = refundedMinor.apply(event);
                // A refund too small to take a whole point is still recorded: its money counts towards the next one's share.
                if (taken > 0 || (money != null && money > 0)) {
                    Cause why = cause.apply(event);
                    entries.add(new Entry(order.member(), why.source(), why.id(), orderOf.apply(event), -taken, money, event.occurredAt()));
                }
                left.put(key, new OrderGrowth(order.member(), order.growth(), order.basisMinor(), order.takenBack() + taken,
                        order.refundedMinor() + (money == null ? 0 : money)));
            }
            return growth.record(entries);
        }).thenReturn(List.of());
    }

}
