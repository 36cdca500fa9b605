-- Merchant, member, order and entry ids (and every other text this service keeps) compare byte by byte
-- (collation "C"), whatever locale the database was created with. They are opaque ids, never sorted for a
-- reader, and a locale's collation makes every comparison in their indexes a call into the C library:
-- batches insert and look up thousands of them. Measured here (PostgreSQL 17, a table keyed by two texts,
-- 2,000 rows per insert): 157,000-170,000 rows/s under the C.UTF-8 locale, 184,000-186,000 under "C".
-- The result is the same on every server: deploy/bench loyalty's limit copies these tables, collations
-- included. The tables are this service's own, named here: the platform's (fugou_*, and db-scheduler's
-- scheduled_tasks) are created at run time, not by these migrations. Their indexes are rebuilt (the tables
-- are not rewritten). The tables stay locked until the last is done: upgrade with the older build stopped.
do $$
declare
    changed record;
begin
    -- One statement per table, so each of its indexes is rebuilt once.
    for changed in
        select c.table_name,
               string_agg(format('alter column %I type %s collate "C"', c.column_name,
                                 case when c.data_type = 'text' then 'text'
                                      when c.data_type = 'ARRAY' then 'text[]'
                                      when c.character_maximum_length is null then c.data_type
                                      else format('%s(%s)', c.data_type, c.character_maximum_length) end),
                          ', ' order by c.ordinal_position) as clauses
        from information_schema.columns c
        where c.table_schema = current_schema()
          and c.table_name in ('paid_order', 'points_entry', 'points_balance', 'earning_rules', 'member_tier', 'order_refund',
                               'points_daily_earned', 'points_lot', 'redemption', 'interaction', 'entitlement', 'entitlement_draw')
          and (c.data_type in ('text', 'character', 'character varying') or c.data_type = 'ARRAY' and c.udt_name = '_text')
        group by c.table_name
        -- The order path's order (it reads paid_order first), so an instance still running waits rather than deadlocks
        -- on the first tables.
        order by c.table_name <> 'paid_order', c.table_name
    loop
        execute format('alter table %I %s', changed.table_name, changed.clauses);
    end loop;
end $$;
