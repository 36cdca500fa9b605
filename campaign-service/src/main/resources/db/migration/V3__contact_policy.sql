-- How often a merchant lets its members be contacted, across every campaign: at most max_contacts in window_hours,
-- at least min_gap_minutes apart, and nothing sent in quiet hours (delayed to their end) in the merchant's zone.
create table contact_policy (
    merchant_id     text        not null primary key,
    max_contacts    int,
    window_hours    int,
    min_gap_minutes int,
    quiet_from      time,
    quiet_to        time,
    time_zone       text        not null,
    updated_at      timestamptz not null
);

-- Every contact decided: sent, delayed to the end of quiet hours, or suppressed with the reason.
create table contact (
    merchant_id  text        not null,
    customer_id  text        not null,
    campaign_id  text        not null,
    trigger_key  text        not null,
    channel      text        not null,
    status       text        not null,
    reason       text,
    decided_at   timestamptz not null,
    send_at      timestamptz,
    primary key (merchant_id, campaign_id, customer_id, trigger_key)
);
create index contact_member on contact (merchant_id, customer_id, decided_at) where status in ('SENT', 'DELAYED');
