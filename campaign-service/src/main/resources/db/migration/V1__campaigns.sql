-- Campaigns as marketers configure them; the definition is one document, replaced only while the campaign does not run.
create table campaign (
    merchant_id  text        not null,
    campaign_id  text        not null,
    status       text        not null,
    definition   jsonb       not null,
    created_at   timestamptz not null,
    updated_at   timestamptz not null,
    primary key (merchant_id, campaign_id)
);

-- What campaign-service knows of each member, kept from member-service's events (never fetched over HTTP).
create table member_view (
    merchant_id  text        not null,
    customer_id  text        not null,
    tier         text,
    channel      text,
    consents     text[]      not null default '{}',
    erased       boolean     not null default false,
    updated_at   timestamptz not null,
    primary key (merchant_id, customer_id)
);

-- One assignment per campaign, member and triggering event: the group the member was put in (and why nothing was
-- sent when suppressed), created once however often the trigger is delivered.
create table assignment (
    merchant_id        text        not null,
    campaign_id        text        not null,
    customer_id        text        not null,
    trigger_key        text        not null,
    assignment_group   text        not null,
    variant            text,
    suppression_reason text,
    assigned_at        timestamptz not null,
    primary key (merchant_id, campaign_id, customer_id, trigger_key)
);
create index assignment_campaign on assignment (merchant_id, campaign_id, assigned_at);

-- Coupons in members' wallets: a unique, unguessable code each.
create table coupon (
    merchant_id         text        not null,
    coupon_id           text        not null,
    code                text        not null,
    customer_id         text        not null,
    campaign_id         text,
    variant             text,
    template_id         text        not null,
    amount_off_minor    bigint,
    percent_off         int,
    max_discount_minor  bigint,
    free_shipping       boolean     not null,
    currency            text,
    minimum_spend_minor bigint,
    categories          text[]      not null,
    valid_from          timestamptz not null,
    valid_until         timestamptz not null,
    status              text        not null,
    primary key (merchant_id, coupon_id),
    unique (merchant_id, code)
);
create index coupon_member on coupon (merchant_id, customer_id, valid_until);
