-- What analytics computes of each member (lifecycle stage, RFM segment) and the paid plans they hold, for audiences.
alter table member_view add column stage text;
alter table member_view add column stage_since timestamptz;
alter table member_view add column rfm_segment text;
alter table member_view add column paid_plans text[] not null default '{}';
