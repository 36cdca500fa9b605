package io.fugou.loyalty.orders;

import io.fugou.platform.merchant.MerchantId;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import io.fugou.platform.pipeline.SourcePosition;
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

    /**
     * Records the orders not known yet, in one statement for the whole batch; an order already known
     * (a duplicate from the shop, a redelivery) changes nothing. Emits the positions of the records
     * whose order was new.
     */
    public Mono<Set<SourcePosition>> recordNew(List<PaidOrder> orders, List<SourcePosition> sources) {
        return db.sql("""
                        insert into paid_order (merchant_id, order_id, customer_id, event_id, total_minor, currency, line_count, paid_at,
                                                source_partition, source_offset)
                        select * from unnest(cast(:merchants as text[]), cast(:orderIds as text[]), cast(:customers as text[]),
                                             cast(:eventIds as text[]), cast(:totals as bigint[]), cast(:currencies as text[]),
                                             cast(:lineCounts as int[]), cast(:paidAt as timestamptz[]),
                                             cast(:partitions as int[]), cast(:offsets as bigint[]))
                        on conflict (merchant_id, order_id) do nothing
                        returning source_partition, source_offset""")
                .bind("merchants", orders.stream().map(PaidOrder::merchantId).toArray(String[]::new))
                .bind("orderIds", orders.stream().map(PaidOrder::orderId).toArray(String[]::new))
                .bind("customers", orders.stream().map(PaidOrder::customerId).toArray(String[]::new))
                .bind("eventIds", orders.stream().map(PaidOrder::eventId).toArray(String[]::new))
                .bind("totals", orders.stream().map(PaidOrder::totalMinor).toArray(Long[]::new))
                .bind("currencies", orders.stream().map(PaidOrder::currency).toArray(String[]::new))
                .bind("lineCounts", orders.stream().map(PaidOrder::lineCount).toArray(Integer[]::new))
                .bind("paidAt", orders.stream().map(order -> OffsetDateTime.ofInstant(order.paidAt(), ZoneOffset.UTC)).toArray(OffsetDateTime[]::new))
                .bind("partitions", sources.stream().map(SourcePosition::partition).toArray(Integer[]::new))
                .bind("offsets", sources.stream().map(SourcePosition::offset).toArray(Long[]::new))
                // One topic feeds this table, so partition and offset name the record.
                .map((row, meta) -> new SourcePosition(sources.get(0).topic(), row.get("source_partition", Integer.class),
                        row.get("source_offset", Long.class)))
                .all()
                .collect(Collectors.toSet());
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
