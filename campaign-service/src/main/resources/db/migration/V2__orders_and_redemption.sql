-- Every paid order once, numbered per buyer (first, second...), for the order triggers; the buyer's referrer for
-- "a referred member's first order".
create table member_order (
    merchant_id text        not null,
    order_id    text        not null,
    customer_id text        not null,
    ordered_at  timestamptz not null,
    primary key (merchant_id, order_id)
);
create index member_order_buyer on member_order (merchant_id, customer_id, ordered_at);
alter table member_view add column referrer_customer_id text;

-- A coupon's redemption: the order that used it.
alter table coupon add column redeemed_order_id text;
alter table coupon add column redeemed_at timestamptz;
create index coupon_due on coupon (merchant_id, valid_until) where status = 'ISSUED';
