-- Uses of a monthly quota (a free service...): one row per use under the shop's id of it, so a retried use counts
-- once; counted per member, benefit and month (the month's first day in the merchant's zone).
create table quota_use (
    merchant_id  text        not null,
    benefit      text        not null,
    use_id       text        not null,
    customer_id  text        not null,
    period_start date        not null,
    used_at      timestamptz not null,
    primary key (merchant_id, benefit, use_id)
);
create index quota_use_member on quota_use (merchant_id, customer_id, benefit, period_start);

-- Paid memberships (like 88VIP or JD PLUS): one row per member and plan, its current term; ended_at set when it lapsed
-- at its end or was refunded.
create table paid_membership (
    merchant_id   text        not null,
    customer_id   text        not null,
    plan_id       text        not null,
    started_at    timestamptz not null,
    ends_at       timestamptz not null,
    ended_at      timestamptz,
    end_reason    text,
    primary key (merchant_id, customer_id, plan_id)
);
create index paid_membership_due on paid_membership (merchant_id, ends_at) where ended_at is null;

-- Each purchase of a plan once (an order's line of the plan's SKU, or the API's purchase id), with the order it came
-- in, so a refund of that order finds the plan it ends.
create table paid_membership_purchase (
    merchant_id  text        not null,
    purchase_id  text        not null,
    customer_id  text        not null,
    plan_id      text        not null,
    order_id     text,
    terms        int         not null,
    price_minor  bigint      not null,
    currency     text        not null,
    purchased_at timestamptz not null,
    primary key (merchant_id, purchase_id)
);
create index paid_membership_purchase_order on paid_membership_purchase (merchant_id, order_id) where order_id is not null;
