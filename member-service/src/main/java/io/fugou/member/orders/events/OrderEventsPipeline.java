package io.fugou.member.orders.events;

import io.fugou.events.Topics;
import io.fugou.events.orders.OrderCancelled;
import io.fugou.events.orders.OrderEvent;
import io.fugou.events.orders.OrderFulfilled;
import io.fugou.events.orders.OrderPaid;
import io.fugou.events.orders.OrderRefunded;
import io.fugou.platform.pipeline.EventPipeline;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The shop's orders (auto-enrollment, growth). Its consumers relay member-service's outbox, where every member event
 * goes, so a member's events come out in the order the database applied them whichever topic or request caused them.
 */
@Configuration(proxyBeanMethods = false)
class OrderEventsPipeline {

    @Bean
    EventPipeline<OrderEvent> memberOrders(OrderHandlers orders) {
        return EventPipeline.consume("member-orders", Topics.ORDERS)
                .handle(OrderPaid.class, orders.paid())
                .handle(OrderRefunded.class, orders.refunded())
                .handle(OrderCancelled.class, orders.cancelled())
                .skip(OrderFulfilled.class, "membership does not depend on delivery")
                .publishesTo(Topics.MEMBERS, Topics.MEMBER_PROFILES, Topics.MEMBERSHIP_PROGRAMS)
                .relaysOutbox()
                .build();
    }
}
