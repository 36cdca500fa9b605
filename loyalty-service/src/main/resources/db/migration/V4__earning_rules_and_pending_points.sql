-- Earning rules, versioned per merchant: an order is scored by the version in force at its event time
-- (occurredAt), so a late or replayed order earns what it earned the first time. A version is never
-- changed once written; a merchant changes the rules by adding a version.
create table earning_rules (
    merchant_id    text        not null,
    version        int         not null,
    effective_from timestamptz not null,
    rules          jsonb       not null,
    created_at     timestamptz not null,
    primary key (merchant_id, version),
    unique (merchant_id, effective_from)
);

-- Each member's tier over time, from fugou.members.v1, so an order is multiplied by the tier its
-- member held when it was paid, whenever it is processed.
create table member_tier (
    merchant_id text        not null,
    customer_id text        not null,
    since       timestamptz not null,
    tier        text        not null,
    event_id    text        not null,
    primary key (merchant_id, customer_id, since, event_id)
);

-- What an order earned, line by line, and what its refunds took back, so a refund of some lines (or of
-- some money) reverses exactly what those lines earned, and all refunds together never more than the
-- order earned. available_at: when its points leave pending (null once they have).
alter table paid_order
    add column points          bigint      not null default 0,
    add column reversed_points bigint      not null default 0,
    add column rules_version   int,
    add column lines           jsonb,
    add column available_at    timestamptz,
    add column released        boolean     not null default true;
create index paid_order_pending on paid_order (merchant_id, available_at) where not released;

-- A refund or cancellation is applied once: its id (or 'cancel') is recorded with the order.
create table order_refund (
    merchant_id      text        not null,
    order_id         text        not null,
    refund_id        text        not null,
    amount_minor     bigint      not null,
    points_reversed  bigint      not null,
    source_partition int,
    source_offset    bigint,
    recorded_at      timestamptz not null default now(),
    primary key (merchant_id, order_id, refund_id)
);

-- Points earned per member and local day, for the per-day cap.
create table points_daily_earned (
    merchant_id text   not null,
    customer_id text   not null,
    day         date   not null,
    points      bigint not null,
    primary key (merchant_id, customer_id, day)
);

-- The ledger carries both balances: pending (earned, return window open) and available. Every entry
-- says how it moved each, and what each was after it; balances are the sums of the entries.
alter table points_entry
    add column kind            text   not null default 'earned',
    add column available_delta bigint not null default 0,
    add column pending_delta   bigint not null default 0,
    add column pending_after   bigint not null default 0,
    add column shortfall       bigint not null default 0,
    add column refund_id       text,
    add column rule_ids        text[] not null default '{}',
    add column available_at    timestamptz,
    add column reason          text,
    add column operator        text;
update points_entry set available_delta = points;
alter table points_entry alter column source_topic drop not null,
                         alter column source_partition drop not null,
                         alter column source_offset drop not null;

alter table points_balance rename column balance to available;
alter table points_balance
    add column pending  bigint not null default 0,
    add column lifetime bigint not null default 0;
update points_balance set lifetime = available;
