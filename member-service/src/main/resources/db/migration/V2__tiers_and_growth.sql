-- The growth score's entries: what each order, refund, cancellation or points event added or took back,
-- once per cause (source and its id), at its event time; a member's score is the sum over the window.
create table growth_entry (
    merchant_id text        not null,
    customer_id text        not null,
    source      text        not null,
    source_id   text        not null,
    order_id    text,
    amount      bigint      not null,
    basis_minor bigint,
    occurred_at timestamptz not null,
    primary key (merchant_id, source, source_id)
);
create index growth_entry_member on growth_entry (merchant_id, customer_id, occurred_at);
create index growth_entry_order on growth_entry (merchant_id, order_id) where order_id is not null;

-- Since when a member holds their tier and why; a manual tier set by the merchant holds until its date.
alter table member add column tier_changed_at timestamptz;
alter table member add column tier_reason text;
alter table member add column manual_tier text;
alter table member add column manual_tier_until date;
update member set tier_changed_at = enrolled_at;
alter table member alter column tier_changed_at set not null;
create index member_manual_tier on member (merchant_id, manual_tier_until) where manual_tier is not null;

-- Qualification periods already reviewed per merchant, so the review runs once per period however often it is asked.
create table tier_review (
    merchant_id  text        not null,
    period_start date        not null,
    reviewed_at  timestamptz not null,
    members      int         not null,
    changed      int         not null,
    primary key (merchant_id, period_start)
);
