-- Each member's events on fugou.points.v1 are numbered from a counter kept in the member's balance row,
-- which every writer of the topic already locks: one row written per member and batch instead of two
-- (the platform's fugou_member_sequence held it before). The numbers reached so far carry over, so
-- each member's sequence goes on without a gap or a repeat. Instances of the code before this one
-- number from the old table: stop them before starting this one.
alter table points_balance add column last_sequence bigint not null default 0;

do $$
begin
    -- The platform creates its table on first use: a database that never numbered an event has none.
    if to_regclass('fugou_member_sequence') is not null then
        insert into points_balance as b (merchant_id, customer_id, available, pending, lifetime, last_sequence)
        select merchant_id, customer_id, 0, 0, 0, last_value from fugou_member_sequence where stream = 'fugou.points.v1'
        on conflict (merchant_id, customer_id) do update set last_sequence = excluded.last_sequence;
    end if;
end $$;
