-- The member's birthday, from member-service's compacted profile topic, and the time of the profile it came from (a
-- profile older than the one stored changes nothing).
alter table member_view add column birthday date;
alter table member_view add column profile_updated_at timestamptz;

-- Order triggers of a buyer who is not a member yet: member-service enrolls a buyer on an order (auto-enrollment), so
-- the order reaches campaign-service before the enrollment. They fire when the member joins, if that is soon enough.
create table pending_trigger (
    merchant_id  text        not null,
    customer_id  text        not null,
    trigger_key  text        not null,
    trigger_type text        not null,
    order_number int,
    category     text,
    occurred_at  timestamptz not null,
    held_at      timestamptz not null
);
-- An order's CATEGORY_BOUGHT is one trigger per category, under the order's key.
create unique index pending_trigger_once on pending_trigger (merchant_id, customer_id, trigger_key, trigger_type, coalesce(category, ''));
create index pending_trigger_age on pending_trigger (merchant_id, held_at);

-- A buyer's orders are numbered in the order campaign-service first saw them, so an earlier order arriving late is not
-- a second "first order".
alter table member_order add column number int;
update member_order o set number = n.number
from (select merchant_id, order_id, row_number() over (partition by merchant_id, customer_id order by ordered_at, order_id) as number
      from member_order) n
where o.merchant_id = n.merchant_id and o.order_id = n.order_id;
alter table member_order alter column number set not null;
create unique index member_order_number on member_order (merchant_id, customer_id, number);
