package io.fugou.campaign.events;

import io.fugou.campaign.campaigns.CampaignDefinition.TriggerType;
import io.fugou.campaign.campaigns.Campaigns;
import io.fugou.campaign.coupons.Coupons;
import io.fugou.campaign.issuing.Issuer;
import io.fugou.campaign.issuing.Issuer.Trigger;
import io.fugou.campaign.issuing.PendingTriggers;
import io.fugou.campaign.members.MemberViews;
import io.fugou.events.MemberKey;
import io.fugou.events.Topics;
import io.fugou.events.common.Money;
import io.fugou.events.orders.CouponRedemption;
import io.fugou.events.orders.OrderCancelled;
import io.fugou.events.orders.OrderEvent;
import io.fugou.events.orders.OrderFulfilled;
import io.fugou.events.orders.OrderLine;
import io.fugou.events.orders.OrderPaid;
import io.fugou.events.orders.OrderRefunded;
import io.fugou.platform.pipeline.EventHandler;
import io.fugou.platform.pipeline.EventPipeline;
import io.fugou.platform.pipeline.Inbound;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.r2dbc.core.DatabaseClient;
import reactor.core.publisher.Mono;

/**
 * The shop's orders: coupons the order used are redeemed ({@code CouponRedeemed}), and each paid order, counted once per
 * buyer, triggers FIRST_ORDER, NTH_ORDER, REFERRED_FIRST_ORDER (for the referrer) and CATEGORY_BOUGHT for each category
 * of its lines; a buyer's who is not a member yet wait for their enrollment ({@link PendingTriggers}). An order cancelled
 * or fully refunded gives back the coupons it used whose terms say so.
 */
@Configuration(proxyBeanMethods = false)
class OrderEventsPipeline {

    private static final List<TriggerType> ORDER_TRIGGERS = List.of(TriggerType.FIRST_ORDER, TriggerType.NTH_ORDER, TriggerType.CATEGORY_BOUGHT,
            TriggerType.REFERRED_FIRST_ORDER);

    @Bean
    EventPipeline<OrderEvent> campaignOrders(DatabaseClient db, MemberViews members, Issuer issuer, Coupons coupons, PendingTriggers pending,
                                             Campaigns campaigns) {
        EventHandler<OrderPaid> paid = events -> pending.lock(events.stream().map(Inbound::member).toList())
                .then(coupons.redeem(redemptions(events)))
                .then(members.ordered(events.stream().map(Inbound::member).toList(), events.stream().map(Inbound::occurredAt).toList()))
                .then(numbered(db, events))
                .flatMap(numbers -> members.of(events.stream().map(Inbound::member).distinct().toList())
                        .flatMap(views -> {
                            List<Trigger> triggers = triggers(events, numbers, views);
                            // A buyer not (yet) a member: their order's triggers wait for the enrollment it may cause. (A referred
                            // buyer's first order names the referrer, a member, and only arises for a buyer who is one.)
                            Predicate<Trigger> member = trigger -> trigger.type() == TriggerType.REFERRED_FIRST_ORDER
                                    || (views.containsKey(trigger.member()) && views.get(trigger.member()).enrolled());
                            List<Trigger> waiting = triggers.stream().filter(member.negate())
                                    .filter(trigger -> views.get(trigger.member()) == null || !views.get(trigger.member()).erased()).toList();
                            return issuer.fire(triggers.stream().filter(member).toList()).then(hold(campaigns, pending, waiting));
                        }))
                .thenReturn(List.of());
        return EventPipeline.consume("campaign-orders", Topics.ORDERS)
                .group("campaign-service-orders")
                .handle(OrderPaid.class, paid)
                .handle(OrderRefunded.class, events -> coupons.giveBack(events.stream().filter(event -> event.payload().getFullRefund())
                        .map(event -> new Coupons.Undone(event.member(), event.payload().getOrderId(), event.occurredAt())).toList()).thenReturn(List.of()))
                .handle(OrderCancelled.class, events -> coupons.giveBack(events.stream()
                        .map(event -> new Coupons.Undone(event.member(), event.payload().getOrderId(), event.occurredAt())).toList()).thenReturn(List.of()))
                .skip(OrderFulfilled.class, "no campaign reacts to delivery")
                .build();
    }

    /** Holds the waiting triggers of merchants with a campaign listening for order triggers (no one else's buyers are kept). */
    private static Mono<Void> hold(Campaigns campaigns, PendingTriggers pending, List<Trigger> waiting) {
        if (waiting.isEmpty()) {
            return Mono.empty();
        }
        return campaigns.active(waiting.stream().map(trigger -> trigger.member().merchantId()).distinct().toList(), ORDER_TRIGGERS)
                .map(Campaigns.MerchantCampaign::merchantId).collect(java.util.stream.Collectors.toSet())
                .flatMap(listening -> pending.hold(waiting.stream().filter(trigger -> listening.contains(trigger.member().merchantId())).toList()));
    }

    /** The coupons each order used, with the discount the shop reports for it (0 when it names only the code). */
    private static List<Coupons.Redemption> redemptions(List<Inbound<OrderPaid>> events) {
        List<Coupons.Redemption> used = new ArrayList<>();
        for (Inbound<OrderPaid> event : events) {
            OrderPaid order = event.payload();
            Set<String> codes = new LinkedHashSet<>();
            for (CouponRedemption redemption : order.getCouponRedemptions()) {
                codes.add(redemption.getCode());
                used.add(new Coupons.Redemption(event.member(), redemption.getCode(), order.getOrderId(), redemption.getDiscount(), event.occurredAt()));
            }
            for (String code : order.getCouponCodes()) {
                if (codes.add(code)) {
                    used.add(new Coupons.Redemption(event.member(), code, order.getOrderId(),
                            Money.newBuilder().setAmountMinor(0).setCurrency(order.getTotal().getCurrency()).build(), event.occurredAt()));
                }
            }
        }
        return used;
    }

    /**
     * Records the orders not seen before; returns the number of each new one among its buyer's orders (1 for the first), in
     * the order campaign-service receives them: an earlier order arriving late is not a second first order.
     */
    private static Mono<Map<String, Integer>> numbered(DatabaseClient db, List<Inbound<OrderPaid>> events) {
        return db.sql("""
                        with arrived as (
                            select distinct on (u.merchant_id, u.order_id) u.merchant_id, u.order_id, u.customer_id, u.at, u.arrival
                            from unnest(cast(:merchants as text[]), cast(:orders as text[]), cast(:customers as text[]), cast(:times as timestamptz[]))
                                 with ordinality as u(merchant_id, order_id, customer_id, at, arrival)
                            order by u.merchant_id, u.order_id, u.arrival),
                        fresh as (
                            select a.* from arrived a
                            where not exists (select 1 from member_order e where e.order_id = a.order_id and e.merchant_id = a.merchant_id))
                        insert into member_order (merchant_id, order_id, customer_id, ordered_at, number)
                        select f.merchant_id, f.order_id, f.customer_id, f.at,
                               coalesce((select max(m.number) from member_order m where m.customer_id = f.customer_id and m.merchant_id = f.merchant_id), 0)
                                 + row_number() over (partition by f.merchant_id, f.customer_id order by f.arrival)
                        from fresh f
                        on conflict do nothing
                        returning merchant_id, order_id, number""")
                .bind("merchants", events.stream().map(Inbound::merchantId).toArray(String[]::new))
                .bind("orders", events.stream().map(event -> event.payload().getOrderId()).toArray(String[]::new))
                .bind("customers", events.stream().map(Inbound::customerId).toArray(String[]::new))
                .bind("times", events.stream().map(event -> OffsetDateTime.ofInstant(event.occurredAt(), ZoneOffset.UTC)).toArray(OffsetDateTime[]::new))
                .map((row, meta) -> Map.entry(row.get("merchant_id", String.class) + '\u0000' + row.get("order_id", String.class),
                        ((Number) row.get("number")).intValue()))
                .all().collectMap(Map.Entry::getKey, Map.Entry::getValue);
    }

    private static List<Trigger> triggers(List<Inbound<OrderPaid>> events, Map<String, Integer> numbers, Map<MemberKey, MemberViews.MemberView> views) {
        List<Trigger> triggers = new ArrayList<>();
        for (Inbound<OrderPaid> event : events) {
            String orderId = event.payload().getOrderId();
            Integer number = numbers.get(event.merchantId() + '\u0000' + orderId);
            if (number == null) {
                continue; // an order seen before triggers nothing again
            }
            String key = "order/" + orderId;
            triggers.add(new Trigger(event.member(), number == 1 ? TriggerType.FIRST_ORDER : TriggerType.NTH_ORDER, key, null, number, null, null, null,
                    event.occurredAt()));
            MemberViews.MemberView view = views.get(event.member());
            if (number == 1 && view != null && view.referrerCustomerId() != null) {
                triggers.add(Trigger.of(new MemberKey(event.merchantId(), view.referrerCustomerId()), TriggerType.REFERRED_FIRST_ORDER,
                        "referred-first-order/" + event.customerId(), event.occurredAt()));
            }
            Set<String> categories = new LinkedHashSet<>();
            for (OrderLine line : event.payload().getLines()) {
                if (line.getCategory() != null && categories.add(line.getCategory())) {
                    // One key per order: a campaign matching two of its categories (drinks/beer, drinks/wine) rewards it once.
                    triggers.add(new Trigger(event.member(), TriggerType.CATEGORY_BOUGHT, key + "/category", null, null, line.getCategory(),
                            null, null, event.occurredAt()));
                }
            }
        }
        return triggers;
    }
}
