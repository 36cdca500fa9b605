-- Rewards given per campaign and day (in the campaign's zone), counted as they are given: the total and daily budgets are
-- read from here, a row per day, rather than by counting a campaign's assignments, which grow without end. Assignments are
-- then only ever read by their key, so their one index is the key.
create table campaign_budget_use (
    merchant_id text   not null,
    campaign_id text   not null,
    day         date   not null,
    given       bigint not null,
    primary key (merchant_id, campaign_id, day)
);
insert into campaign_budget_use (merchant_id, campaign_id, day, given)
select a.merchant_id, a.campaign_id,
       cast(a.assigned_at at time zone coalesce(c.definition -> 'schedule' ->> 'timeZone', 'Asia/Shanghai') as date), count(*)
from assignment a join campaign c on c.merchant_id = a.merchant_id and c.campaign_id = a.campaign_id
where a.assignment_group = 'TREATMENT'
group by 1, 2, 3;
drop index assignment_campaign;
