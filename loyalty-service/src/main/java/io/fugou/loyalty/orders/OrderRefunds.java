package io.fugou.loyalty.orders;

import io.fugou.platform.pipeline.SourcePosition;
import java.util.List;
import java.util.Map;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Mono;

/** The refunds and cancellations applied to each order, so each is applied once. */
@Repository
public class OrderRefunds {

    /** A refund of an order; a cancellation is the refund {@code cancel}. */
    public record RefundKey(String merchantId, String orderId, String refundId) {
    }

    /** A refund as applied: what it returned and the points it took back. */
    public record AppliedRefund(RefundKey key, long amountMinor, long pointsReversed, SourcePosition source) {
    }

    private final DatabaseClient db;

    public OrderRefunds(DatabaseClient db) {
        this.db = db;
    }

    /** Which of these refunds were applied already, and the record that applied each. */
    public Mono<Map<RefundKey, SourcePosition>> known(List<RefundKey> refunds, String topic) {
        return db.sql("""
                        select r.merchant_id, r.order_id, r.refund_id, r.source_partition, r.source_offset
                        from order_refund r, unnest(cast(:merchants as text[]), cast(:orderIds as text[]), cast(:refundIds as text[]))
                             as u(merchant_id, order_id, refund_id)
                        where r.merchant_id = u.merchant_id and r.order_id = u.order_id and r.refund_id = u.refund_id""")
                .bind("merchants", refunds.stream().map(RefundKey::merchantId).toArray(String[]::new))
                .bind("orderIds", refunds.stream().map(RefundKey::orderId).toArray(String[]::new))
                .bind("refundIds", refunds.stream().map(RefundKey::refundId).toArray(String[]::new))
                .map((row, meta) -> {
                    Integer partition = row.get("source_partition", Integer.class);
                    return Map.entry(new RefundKey(row.get("merchant_id", String.class), row.get("order_id", String.class),
                                    row.get("refund_id", String.class)),
                            partition == null ? new SourcePosition("", -1, -1) : new SourcePosition(topic, partition, row.get("source_offset", Long.class)));
                })
                .all()
                .collectMap(Map.Entry::getKey, Map.Entry::getValue);
    }

    /** Records applied refunds; returns how many were new (fewer than given: another writer applied some meanwhile). */
    public Mono<Long> insert(List<AppliedRefund> refunds) {
        if (refunds.isEmpty()) {
            return Mono.just(0L);
        }
        return db.sql("""
                        insert into order_refund (merchant_id, order_id, refund_id, amount_minor, points_reversed, source_partition, source_offset)
                        select * from unnest(cast(:merchants as text[]), cast(:orderIds as text[]), cast(:refundIds as text[]),
                                             cast(:amounts as bigint[]), cast(:points as bigint[]), cast(:partitions as int[]), cast(:offsets as bigint[]))
                        on conflict do nothing""")
                .bind("merchants", refunds.stream().map(r -> r.key().merchantId()).toArray(String[]::new))
                .bind("orderIds", refunds.stream().map(r -> r.key().orderId()).toArray(String[]::new))
                .bind("refundIds", refunds.stream().map(r -> r.key().refundId()).toArray(String[]::new))
                .bind("amounts", refunds.stream().map(AppliedRefund::amountMinor).toArray(Long[]::new))
                .bind("points", refunds.stream().map(AppliedRefund::pointsReversed).toArray(Long[]::new))
                .bind("partitions", refunds.stream().map(r -> r.source().partition()).toArray(Integer[]::new))
                .bind("offsets", refunds.stream().map(r -> r.source().offset()).toArray(Long[]::new))
                .fetch().rowsUpdated();
    }
}
