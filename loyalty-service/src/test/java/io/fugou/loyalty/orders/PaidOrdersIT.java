package io.fugou.loyalty.orders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fugou.loyalty.orders.PaidOrders.OrderKey;
import io.fugou.loyalty.points.MigratedDatabase;
import io.fugou.platform.merchant.MerchantId;
import io.fugou.platform.pipeline.SourcePosition;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.r2dbc.core.DatabaseClient;
import tools.jackson.databind.json.JsonMapper;

/** Recording paid orders on the real database, when another writer recorded one of them meanwhile. */
class PaidOrdersIT {

    private static final String TOPIC = "commerce.orders.v1";
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void shouldRecordNoneOfABatchWhoseOrderAnotherWriterRecordedMeanwhileAndSaySo() {
        PaidOrders orders = new PaidOrders(MigratedDatabase.create("loyalty_paid_orders").migrate("latest").client(), JsonMapper.builder().build());
        assertThat(orders.insert(List.of(order("o-1")), List.of(new SourcePosition(TOPIC, 0, 7))).block(WAIT)).isEqualTo(1L);

        // Read as unknown by a consumer that lost its partition and has not noticed: its batch holds o-1 again.
        assertThatThrownBy(() -> orders.insert(List.of(order("o-2"), order("o-1")),
                List.of(new SourcePosition(TOPIC, 3, 1), new SourcePosition(TOPIC, 3, 2))).block(WAIT))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("another writer recorded some of these orders meanwhile");

        assertThat(orders.known(List.of(new OrderKey("m-1", "o-1"), new OrderKey("m-1", "o-2")), TOPIC).block(WAIT))
                .containsOnlyKeys(new OrderKey("m-1", "o-1"))
                .containsEntry(new OrderKey("m-1", "o-1"), new SourcePosition(TOPIC, 0, 7));
    }

    @Test
    void shouldReadTheLinesOfOrdersRecordedWhileTheyWereKeptParsed() {
        MigratedDatabase before = MigratedDatabase.create("loyalty_order_lines").migrate("11");
        DatabaseClient client = before.client();
        client.sql("""
                insert into paid_order (merchant_id, order_id, customer_id, event_id, total_minor, currency, line_count, paid_at, points,
                                        lines)
                values ('m-1', 'o-old', 'buyer', 'e-1', 30000, 'CNY', 2, now(), 300,
                        cast('[{"key": "L1", "sku": "SKU-1", "quantity": 2, "paidMinor": 20000, "points": 200, "refundedMinor": 5000,
                                "refundedQuantity": 1, "reversed": 50},
                               {"key": "L2", "sku": "SKU-2", "quantity": 1, "paidMinor": 10000, "points": 100, "refundedMinor": 0,
                                "refundedQuantity": 0, "reversed": 0}]' as jsonb))""").then().block(WAIT);

        before.migrate("latest");

        PaidOrder found = new PaidOrders(client, JsonMapper.builder().build()).find(new MerchantId("m-1"), "o-old").block(WAIT);
        assertThat(found.lines()).containsExactly(new EarnedLine("L1", "SKU-1", 2, 20_000, 200, 5_000, 1, 50),
                new EarnedLine("L2", "SKU-2", 1, 10_000, 100, 0, 0, 0));
    }

    private static PaidOrder order(String orderId) {
        return new PaidOrder("m-1", orderId, "buyer", "event-" + orderId, 12_300, "CNY", Instant.parse("2026-11-30T08:00:00Z"), 1, 123, 0,
                Instant.parse("2026-12-07T16:00:00Z"), false, List.of(new EarnedLine("L1", "SKU-1", 1, 12_300, 123, 0, 0, 0)));
    }
}
