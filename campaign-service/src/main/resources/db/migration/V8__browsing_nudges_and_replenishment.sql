-- Browsing a campaign waits on: a member viewed a product or left a cart, and is nudged at due_at unless they buy
-- before. One pending per campaign and member: the first view counts, and a member browsing all evening is nudged once.
create table browsing_watch (
    merchant_id  text        not null,
    campaign_id  text        not null,
    customer_id  text        not null,
    event_id     text        not null,
    trigger_type text        not null,
    category     text,
    seen_at      timestamptz not null,
    due_at       timestamptz not null,
    primary key (merchant_id, campaign_id, customer_id)
);
create index browsing_watch_due on browsing_watch (due_at);

-- analytics' predicted next order of the member, for replenishment reminders, and the time of the prediction.
alter table member_view add column next_order_at timestamptz;
alter table member_view add column next_order_since timestamptz;
