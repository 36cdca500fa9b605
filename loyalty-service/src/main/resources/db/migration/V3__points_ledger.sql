-- The points ledger as the exactly-once kit's first user writes it: one entry per paid order (the
-- base rate until earning rules arrive), a balance per member, and the record each row came from, so
-- that a redelivery of that very record (its Kafka transaction never committed) publishes the same
-- events again while a duplicate from another offset publishes nothing.
alter table paid_order
    add column source_partition int,
    add column source_offset    bigint;

create table points_entry (
    merchant_id      text        not null,
    customer_id      text        not null,
    entry_id         text        not null,
    order_id         text,
    points           bigint      not null,
    balance_after    bigint      not null,
    sequence         bigint      not null,
    occurred_at      timestamptz not null,
    source_topic     text        not null,
    source_partition int         not null,
    source_offset    bigint      not null,
    primary key (merchant_id, entry_id)
);
create index points_entry_member on points_entry (merchant_id, customer_id, sequence);

create table points_balance (
    merchant_id text   not null,
    customer_id text   not null,
    balance     bigint not null,
    primary key (merchant_id, customer_id)
);
