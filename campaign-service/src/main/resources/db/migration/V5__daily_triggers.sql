-- For the daily triggers: when the member joined (anniversaries) and last paid (no purchase for N days).
alter table member_view add column enrolled_at timestamptz;
alter table member_view add column last_order_at timestamptz;
