-- Each merchant's tier codes, from member-service's compacted programme topic, to check the tiers campaigns name.
create table program_tiers (
    merchant_id text        not null primary key,
    tiers       text[]      not null,
    updated_at  timestamptz not null
);
