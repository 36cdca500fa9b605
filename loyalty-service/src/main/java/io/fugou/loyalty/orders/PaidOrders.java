package io.fugou.loyalty.orders;

import io.fugou.platform.merchant.MerchantId;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Mono;

/** Paid orders per merchant. Every read takes the merchant, so no query can cross tenants. */
@Repository
public class PaidOrders {

    private final DatabaseClient db;

    public PaidOrders(DatabaseClient db) {
        this.db = db;
    }

    /** Records the order once; a redelivered event for the same order changes nothing. Emits true when it was new. */
    public Mono<Boolean> recordOnce(PaidOrder order) {
        return db.sql("""
                        insert into paid_order (merchant_id, order_id, customer_id, event_id, total_minor, currency, line_count, paid_at)
                        values (:merchantId, :orderId, :customerId, :eventId, :totalMinor, :currency, :lineCount, :paidAt)
                        on conflict (merchant_id, order_id) do nothing""")
                .bind("merchantId", order.merchantId())
                .bind("orderId", order.orderId())
                .bind("customerId", order.customerId())
                .bind("eventId", order.eventId())
                .bind("totalMinor", order.totalMinor())
                .bind("currency", order.currency())
                .bind("lineCount", order.lineCount())
                .bind("paidAt", OffsetDateTime.ofInstant(order.paidAt(), ZoneOffset.UTC))
                .fetch().rowsUpdated()
                .map(rows -> rows > 0);
    }

    public Mono<PaidOrder> find(MerchantId merchant, String orderId) {
        return db.sql("""
                        select merchant_id, order_id, customer_id, event_id, total_minor, currency, line_count, paid_at
                        from paid_order where merchant_id = :merchantId and order_id = :orderId""")
                .bind("merchantId", merchant.value())
                .bind("orderId", orderId)
                .map((row, meta) -> new PaidOrder(
                        row.get("merchant_id", String.class),
                        row.get("order_id", String.class),
                        row.get("customer_id", String.class),
                        row.get("event_id", String.class),
                        row.get("total_minor", Long.class),
                        row.get("currency", String.class),
                        row.get("line_count", Integer.class),
                        row.get("paid_at", OffsetDateTime.class).toInstant()))
                .one();
    }
}
