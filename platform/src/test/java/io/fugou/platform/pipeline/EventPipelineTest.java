package io.fugou.platform.pipeline;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fugou.events.Topics;
import io.fugou.events.customers.CustomerRegistered;
import io.fugou.events.orders.OrderCancelled;
import io.fugou.events.orders.OrderFulfilled;
import io.fugou.events.orders.OrderPaid;
import io.fugou.events.orders.OrderRefunded;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

class EventPipelineTest {

    private static final EventHandler<OrderPaid> PAID = events -> Mono.just(List.of());

    @Test
    void shouldRefuseAPipelineThatLeavesAnEventTypeUndecided() {
        assertThatThrownBy(() -> EventPipeline.consume("orders", Topics.ORDERS).handle(OrderPaid.class, PAID)
                .skip(OrderRefunded.class, "later").build())
                .hasMessageContaining("neither handles nor skips OrderCancelled, OrderFulfilled");
    }

    @Test
    void shouldRefuseATypeTheTopicDoesNotCarry() {
        assertThatThrownBy(() -> EventPipeline.consume("orders", Topics.ORDERS).handle(OrderPaid.class, PAID)
                .skip(OrderRefunded.class, "later").skip(OrderCancelled.class, "later").skip(OrderFulfilled.class, "later")
                .skip(CustomerRegistered.class, "wrong topic").build())
                .hasMessageContaining("CustomerRegistered is not an event type of commerce.orders.v1");
    }
}
