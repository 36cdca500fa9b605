package io.fugou.loyalty.orders.events;

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
 * How loyalty-service consumes the shop's orders: through the platform's exactly-once pipeline, whose
 * consumers also publish the ledger's outbox (the release job's and the API's entries), so each
 * member's points events come out in ledger order.
 */
@Configuration(proxyBeanMethods = false)
class OrderEventsPipeline {

    @Bean
    EventPipeline<OrderEvent> loyaltyOrders(PaidOrderHandler paid, OrderReversalHandler reversals, FulfilmentHandler fulfilments) {
        return EventPipeline.consume("loyalty-orders", Topics.ORDERS)
                .handle(OrderPaid.class, paid)
                .handle(OrderRefunded.class, reversals.refunds())
                .handle(OrderCancelled.class, reversals.cancellations())
                .handle(OrderFulfilled.class, fulfilments)
                .publishesTo(Topics.POINTS)
                .relaysOutbox()
                .build();
    }
}
