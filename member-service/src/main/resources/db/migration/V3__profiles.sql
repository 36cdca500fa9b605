-- Buyers' profiles (personal data): kept to answer the API and to publish each member's whole profile to the compacted
-- fugou.member-profiles.v1 when a part of it changes; deleted by erasure. Kept for buyers who are not members yet too,
-- so a buyer who registered first and joins later brings their profile.
create table member_profile (
    merchant_id       text        not null,
    customer_id       text        not null,
    birthday          date,
    gender            text        not null,
    region            text,
    marketing_consent boolean     not null,
    consents          jsonb       not null,
    updated_at        timestamptz not null,
    completed_at      timestamptz,
    primary key (merchant_id, customer_id)
);

-- When a member's personal data was erased (the member stays: tier, growth and an id the shop alone can link to a person).
alter table member add column erased_at timestamptz;
alter table member add column erasure_request_id text;
