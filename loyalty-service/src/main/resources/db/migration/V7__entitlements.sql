-- Prepaid entitlements (the 101 bottles bought at once): units of a SKU bought in one order, drawn down
-- by later orders of that SKU the buyer pays nothing for, or by the shop over the API.
create table entitlement (
    merchant_id    text        not null,
    entitlement_id text        not null,
    customer_id    text        not null,
    sku            text        not null,
    units          int         not null,
    remaining      int         not null check (remaining >= 0),
    order_id       text        not null,
    granted_at     timestamptz not null,
    expires_at     timestamptz,
    primary key (merchant_id, entitlement_id)
);
create index entitlement_member on entitlement (merchant_id, customer_id, sku) where remaining > 0;

-- Each draw once, under the order line or the shop's id that made it.
create table entitlement_draw (
    merchant_id    text        not null,
    draw_id        text        not null,
    entitlement_id text        not null,
    customer_id    text        not null,
    units          int         not null,
    order_id       text,
    drawn_at       timestamptz not null,
    primary key (merchant_id, draw_id)
);
