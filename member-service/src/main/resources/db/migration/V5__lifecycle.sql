-- The member's lifecycle stage and RFM segment as analytics-service computes them (fugou.lifecycle.v1), kept here so
-- the shop and marketers read them with the member; each with the event time it holds from, so a late event is ignored.
alter table member add column stage text;
alter table member add column stage_since timestamptz;
alter table member add column rfm_segment text;
alter table member add column rfm_since timestamptz;
create index member_stage on member (merchant_id, stage) where stage is not null;
