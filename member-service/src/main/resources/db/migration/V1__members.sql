-- A merchant's membership programme (time zone, tier ladder, auto-enrollment), version by version:
-- an order is judged by the version in force at its own time.
create table membership_program (
    merchant_id    text        not null,
    version        int         not null,
    effective_from timestamptz not null,
    program        jsonb       not null,
    created_at     timestamptz not null,
    primary key (merchant_id, version),
    unique (merchant_id, effective_from)
);

-- Recruitment codes (a poster, a QR code, a link) per channel and campaign; an enrollment that carries
-- one is attributed to it.
create table recruitment_code (
    merchant_id text        not null,
    code        text        not null,
    channel     text        not null,
    campaign_id text,
    name        text        not null,
    created_at  timestamptz not null,
    primary key (merchant_id, code)
);

-- Members: one row per merchant and buyer, created once however often the enrollment is asked for.
-- share_code is the member's own code for recruiting others (裂变).
create table member (
    merchant_id          text        not null,
    customer_id          text        not null,
    channel              text        not null,
    recruitment_code     text,
    campaign_id          text,
    referrer_customer_id text,
    share_code           text        not null,
    tier                 text        not null,
    enrollment_rule_id   text,
    enrolled_at          timestamptz not null,
    primary key (merchant_id, customer_id),
    unique (merchant_id, share_code)
);
create index member_enrolled on member (merchant_id, enrolled_at, customer_id);
create index member_recruitment_code on member (merchant_id, recruitment_code) where recruitment_code is not null;
create index member_referrer on member (merchant_id, referrer_customer_id) where referrer_customer_id is not null;
