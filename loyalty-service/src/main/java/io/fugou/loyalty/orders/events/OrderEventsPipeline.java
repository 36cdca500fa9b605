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

/** How loyalty-service consumes the shop's orders: through the platform's exactly-once pipeline. */
@Configuration(proxyBeanMethods = false)
class OrderEventsPipeline {

    @Bean
    EventPipeline<OrderEvent> loyaltyOrders(PaidOrderHandler paid) {
        return EventPipeline.consume("loyalty-orders", Topics.ORDERS)
                .handle(OrderPaid.class, paid)
                .skip(OrderRefunded.class, "clawback comes with the points ledger's refund rules")
                .skip(OrderCancelled.class, "reversal comes with the points ledger's refund rules")
                .skip(OrderFulfilled.class, "points become available on fulfilment with the ledger's availability rules")
                .publishesTo(Topics.POINTS)
                .build();
    }
}
