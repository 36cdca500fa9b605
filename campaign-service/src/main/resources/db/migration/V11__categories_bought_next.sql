-- Each merchant's categories bought next (analytics' compacted fugou.merchant-insights.v1), for cross-sell coupons:
-- {"drinks/beer": ["snacks", "drinks/wine"]}, most often first.
create table categories_bought_next (
    merchant_id text        not null primary key,
    next        jsonb       not null,
    updated_at  timestamptz not null
);
