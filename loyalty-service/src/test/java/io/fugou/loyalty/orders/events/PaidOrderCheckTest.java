package io.fugou.loyalty.orders.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fugou.events.orders.OrderEvent;
import io.fugou.events.orders.OrderLine;
import io.fugou.events.orders.OrderPaid;
import io.fugou.loyalty.rules.Scoring;
import io.fugou.platform.kafka.InvalidEventException;
import io.fugou.platform.pipeline.Inbound;
import io.fugou.platform.pipeline.SourcePosition;
import io.fugou.testsupport.OrderEventMother;
import java.util.List;
import org.junit.jupiter.api.Test;

class PaidOrderCheckTest {

    private static Inbound<OrderPaid> inbound(OrderEvent event) {
        return new Inbound<>(new SourcePosition("commerce.orders.v1", 0, 0), "m:c", event.getEventId(), "m", "c", event.getOccurredAt(),
                (OrderPaid) event.getPayload());
    }

    private static OrderEvent twoLines() {
        return OrderEventMother.paid("m", "c", "o-1", List.of(OrderEventMother.line("BEER", "drinks/beer", 2, 12_900),
                OrderEventMother.line("SNACK", "snacks", 1, 5_000)));
    }

    @Test
    void shouldRefuseACurrencyThatIsNotAnIso4217CodeNamingTheOrder() {
        OrderEvent event = twoLines();
        ((OrderPaid) event.getPayload()).getTotal().setCurrency("YUAN");

        assertThatThrownBy(() -> PaidOrderHandler.lines(inbound(event))).isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("OrderPaid o-1").hasMessageContaining("ISO-4217").hasMessageContaining("'YUAN'");
    }

    @Test
    void shouldRefuseANegativeQuantityNamingTheLine() {
        OrderEvent event = twoLines();
        ((OrderPaid) event.getPayload()).getLines().get(1).setQuantity(-1);

        assertThatThrownBy(() -> PaidOrderHandler.lines(inbound(event))).hasMessageContaining("lines[1].quantity must not be negative");
    }

    @Test
    void shouldRefuseLinesThatAddUpToMoreThanTheTotal() {
        OrderEvent event = twoLines();
        ((OrderPaid) event.getPayload()).getTotal().setAmountMinor(100);

        assertThatThrownBy(() -> PaidOrderHandler.lines(inbound(event))).hasMessageContaining("more than its total 100");
    }

    @Test
    void shouldShareTheTotalLessShippingOverLinesWhenTheShopDoesNotAllocateDiscounts() {
        OrderEvent event = twoLines();
        OrderPaid paid = (OrderPaid) event.getPayload();
        for (OrderLine line : paid.getLines()) {
            line.setPaidAmount(null);
        }
        paid.setShippingFee(OrderEventMother.yuan(1_000));
        paid.getTotal().setAmountMinor(27_720 + 1_000); // 308.00 listed, 10% off, plus 10.00 shipping

        assertThat(PaidOrderHandler.lines(inbound(event))).extracting(Scoring.Line::paidMinor).containsExactly(23_220L, 4_500L);
    }
}
