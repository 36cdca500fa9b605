-- Coupon templates the merchant names once, for coupons members buy with points (PointsRedeemed names the template).
create table coupon_template (
    merchant_id text        not null,
    template_id text        not null,
    terms       jsonb       not null,
    updated_at  timestamptz not null,
    primary key (merchant_id, template_id)
);

-- Whether a coupon is given back when the order that used it is cancelled or fully refunded (the template says), and the
-- points redemption that bought it, if any.
alter table coupon add column return_on_refund boolean not null default false;
alter table coupon add column points_redemption_id text;
create index coupon_redeemed_order on coupon (merchant_id, redeemed_order_id) where redeemed_order_id is not null;
