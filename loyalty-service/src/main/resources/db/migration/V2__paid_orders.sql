-- Paid orders as loyalty-service received them: the walking skeleton's proof that an OrderPaid
-- published by a shop arrives here once. The points ledger (a later migration) builds on it.
create table paid_order (
    merchant_id  text        not null,
    order_id     text        not null,
    customer_id  text        not null,
    event_id     text        not null,
    total_minor  bigint      not null,
    currency     char(3)     not null,
    line_count   int         not null,
    paid_at      timestamptz not null,
    received_at  timestamptz not null default now(),
    primary key (merchant_id, order_id)
);
