-- One row per order, and the record that created it (to rebuild its event after an aborted Kafka transaction).
create table demo_entry (
    merchant_id      text        not null,
    customer_id      text        not null,
    order_id         text        not null,
    points           bigint      not null,
    occurred_at      timestamptz not null,
    source_partition int         not null,
    source_offset    bigint      not null,
    primary key (merchant_id, order_id)
);
