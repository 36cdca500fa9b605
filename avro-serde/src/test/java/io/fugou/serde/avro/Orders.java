package io.fugou.serde.avro;

import io.fugou.events.common.Money;
import io.fugou.events.orders.OrderEvent;
import io.fugou.events.orders.OrderLine;
import io.fugou.events.orders.OrderPaid;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

/** Valid order events for the serde's tests. */
final class Orders {

    static {
        // Building a generated record can read defaults into generated classes, which Avro 1.12 checks.
        AvroClassTrust.trust(List.of("io.fugou.events"));
    }

    private Orders() {
    }

    static OrderEvent paidOrder(String orderId) {
        Money price = Money.newBuilder().setAmountMinor(12_900).setCurrency("CNY").build();
        return OrderEvent.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setOccurredAt(Instant.now().truncatedTo(ChronoUnit.MILLIS))
                .setMerchantId("merchant-a")
                .setCustomerId("buyer-1")
                .setPayload(OrderPaid.newBuilder()
                        .setOrderId(orderId)
                        .setLines(List.of(OrderLine.newBuilder()
                                .setSku("BEER-101").setCategory("drinks/beer").setQuantity(2).setUnitPrice(price).build()))
                        .setTotal(Money.newBuilder().setAmountMinor(25_800).setCurrency("CNY").build())
                        .setCouponCodes(List.of("WELCOME10"))
                        .build())
                .build();
    }
}
