-- Each member's events on fugou.points.v1 are numbered from a counter kept in the member's balance row,
-- which every writer of the topic already locks: one row written per member and batch instead of two
-- (the platform's fugou_member_sequence held it before). The numbers reached so far carry over, so
-- each member's sequence goes on without a gap or a repeat.
alter table points_balance add column last_sequence bigint not null default 0;

do $$
begin
    -- The platform creates its table on first use: a database that never numbered an event has none.
    if to_regclass('fugou_member_sequence') is not null then
        -- Writers of the build before this one wait here until the numbers are carried over...
        lock table fugou_member_sequence in share row exclusive mode;
        insert into points_balance as b (merchant_id, customer_id, available, pending, lifetime, last_sequence)
        select merchant_id, customer_id, 0, 0, 0, last_value from fugou_member_sequence where stream = 'fugou.points.v1'
        on conflict (merchant_id, customer_id) do update set last_sequence = excluded.last_sequence;
        -- ...and are refused from then on, with an error the platform treats as transient (class 57, operator
        -- intervention): an instance of the older build still running during a rolling upgrade holds its partitions
        -- and waits to be stopped, instead of numbering from the old counter (a repeat) or dead-lettering its orders.
        create function fugou_points_numbered_in_balance() returns trigger language plpgsql as $body$
        begin
            raise exception 'fugou.points.v1 is numbered in points_balance since loyalty-service migration V9: stop the instances of the older build'
                using errcode = '57000';
        end $body$;
        create trigger points_numbered_in_balance before insert or update on fugou_member_sequence
            for each row when (new.stream = 'fugou.points.v1') execute function fugou_points_numbered_in_balance();
    end if;
end $$;
