package io.fugou.campaign.events;

import io.fugou.campaign.campaigns.CampaignDefinition.TriggerType;
import io.fugou.campaign.coupons.Coupons;
import io.fugou.campaign.issuing.Issuer;
import io.fugou.campaign.issuing.Issuer.Trigger;
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
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.r2dbc.core.DatabaseClient;
import reactor.core.publisher.Mono;

/**
 * The shop's orders: coupons the order used are redeemed ({@code CouponRedeemed}), and each paid order, counted once per
 * buyer, triggers FIRST_ORDER, NTH_ORDER, REFERRED_FIRST_ORDER (for the referrer) and CATEGORY_BOUGHT for each category
 * of its lines.
 */
@Configuration(proxyBeanMethods = false)
class OrderEventsPipeline {

    @Bean
    EventPipeline<OrderEvent> campaignOrders(DatabaseClient db, MemberViews members, Issuer issuer, Coupons coupons) {
        EventHandler<OrderPaid> paid = events -> coupons.redeem(redemptions(events))
                .then(members.ordered(events.stream().map(Inbound::member).toList(), events.stream().map(Inbound::occurredAt).toList()))
                .then(numbered(db, events))
                .flatMap(numbers -> members.of(events.stream().map(Inbound::member).distinct().toList())
                        .flatMap(views -> issuer.fire(triggers(events, numbers, views))))
                .thenReturn(List.of());
        return EventPipeline.consume("campaign-orders", Topics.ORDERS)
                .group("campaign-service-orders")
                .handle(OrderPaid.class, paid)
                .skip(OrderRefunded.class, "not yet: coupons given back on a full refund come later (issue 9)")
                .skip(OrderCancelled.class, "not yet: coupons given back on a cancellation come later (issue 9)")
                .skip(OrderFulfilled.class, "no campaign reacts to delivery")
                .build();
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

    /** Records the orders not seen before; returns the number of each new one among its buyer's orders (1 for the first). */
    private static Mono<Map<String, Integer>> numbered(DatabaseClient db, List<Inbound<OrderPaid>> events) {
        return db.sql("""
                        insert into member_order (merchant_id, order_id, customer_id, ordered_at)
                        select * from unnest(cast(:merchants as text[]), cast(:orders as text[]), cast(:customers as text[]), cast(:times as timestamptz[]))
                        on conflict do nothing
                        returning merchant_id, order_id""")
                .bind("merchants", events.stream().map(Inbound::merchantId).toArray(String[]::new))
                .bind("orders", events.stream().map(event -> event.payload().getOrderId()).toArray(String[]::new))
                .bind("customers", events.stream().map(Inbound::customerId).toArray(String[]::new))
                .bind("times", events.stream().map(event -> OffsetDateTime.ofInstant(event.occurredAt(), ZoneOffset.UTC)).toArray(OffsetDateTime[]::new))
                .map((row, meta) -> row.get("merchant_id", String.class) + '\u0000' + row.get("order_id", String.class))
                .all().collectList()
                .flatMap(fresh -> fresh.isEmpty() ? Mono.just(Map.<String, Integer>of()) : db.sql("""
                                select o.merchant_id, o.order_id,
                                       (select count(*) from member_order e where e.merchant_id = o.merchant_id and e.customer_id = o.customer_id
                                          and (e.ordered_at, e.order_id) <= (o.ordered_at, o.order_id)) as number
                                from member_order o
                                join unnest(cast(:merchants as text[]), cast(:orders as text[])) as u(merchant_id, order_id)
                                  on o.merchant_id = u.merchant_id and o.order_id = u.order_id
                                where o.merchant_id = any(cast(:merchants as text[]))""")
                        .bind("merchants", fresh.stream().map(key -> key.substring(0, key.indexOf('\u0000'))).toArray(String[]::new))
                        .bind("orders", fresh.stream().map(key -> key.substring(key.indexOf('\u0000') + 1)).toArray(String[]::new))
                        .map((row, meta) -> Map.entry(row.get("merchant_id", String.class) + '\u0000' + row.get("order_id", String.class),
                                ((Number) row.get("number")).intValue()))
                        .all().collectMap(Map.Entry::getKey, Map.Entry::getValue));
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
