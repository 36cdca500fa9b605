-- Available points lot by lot, so spending and expiry take the oldest first (FIFO: the lot that expires
-- soonest, then the one made available first). A lot is made by the entry that made its points
-- available (lot_id is that entry's id); remaining is what is left of it. The member's available
-- balance is the sum of remaining less any debt (a refund of spent points under ALLOW_NEGATIVE),
-- which later lots pay off first.
create table points_lot (
    merchant_id text        not null,
    customer_id text        not null,
    lot_id      text        not null,
    created_at  timestamptz not null,
    expires_at  timestamptz,
    points      bigint      not null,
    remaining   bigint      not null,
    primary key (merchant_id, customer_id, lot_id)
);
create index points_lot_expiring on points_lot (merchant_id, expires_at) where remaining > 0;
insert into points_lot (merchant_id, customer_id, lot_id, created_at, expires_at, points, remaining)
select merchant_id, customer_id, 'opening-balance', now(), null, available, available from points_balance where available > 0;

-- Points exchanged for a reward: reserved first (held from the balance), then confirmed (spent: a
-- ledger entry) or cancelled; a reservation not confirmed by expires_at holds nothing any more.
create table redemption (
    merchant_id   text        not null,
    redemption_id text        not null,
    customer_id   text        not null,
    points        bigint      not null,
    reward        text        not null,
    reward_id     text,
    order_id      text,
    cash_minor    bigint,
    cash_currency char(3),
    state         text        not null,
    reserved_at   timestamptz not null,
    expires_at    timestamptz not null,
    settled_at    timestamptz,
    primary key (merchant_id, redemption_id)
);
create index redemption_holds on redemption (merchant_id, customer_id) where state = 'reserved';

alter table points_entry
    add column redemption_id text,
    add column reward        text,
    add column reward_id     text,
    add column cash_minor    bigint,
    add column cash_currency char(3),
    add column expires_at    timestamptz;
