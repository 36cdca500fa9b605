-- Interactions that earn points (a review, a completed profile, a daily sign-in), posted by the shop:
-- each is recorded once under the shop's id, with the member's local day, for the per-kind caps.
create table interaction (
    merchant_id    text        not null,
    kind           text        not null,
    interaction_id text        not null,
    customer_id    text        not null,
    day            date        not null,
    points         bigint      not null,
    capped_by      text,
    occurred_at    timestamptz not null,
    primary key (merchant_id, kind, interaction_id)
);
create index interaction_member_day on interaction (merchant_id, customer_id, kind, day);
