package io.fugou.platform.pipeline;

import io.fugou.events.MemberKey;
import io.fugou.platform.config.PlatformTable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.r2dbc.core.DatabaseClient;
import reactor.core.publisher.Mono;

/**
 * Numbers each member's events 1, 2, 3, ... without gaps, in the order the database applies them,
 * per stream (one per output topic, say). Call it in the transaction that writes the rows the events
 * are about, for the rows actually written: the member's counter row stays locked until that
 * transaction ends, so numbers follow commit order even when several writers touch one member. One
 * statement for a whole batch. The table {@code fugou_member_sequence} is the platform's, created on
 * first use in the service's database.
 */
public class MemberSequences {

    private final DatabaseClient db;
    private final PlatformTable table;

    public MemberSequences(DatabaseClient db) {
        this.db = db;
        this.table = new PlatformTable(db, "fugou_member_sequence", """
                create table if not exists fugou_member_sequence (
                    stream      text   not null,
                    merchant_id text   not null,
                    customer_id text   not null,
                    last_value  bigint not null,
                    primary key (stream, merchant_id, customer_id))
                -- Every batch rewrites its members' counters: room in each page keeps the new row versions on their page, with
                -- no new index entry (HOT updates).
                with (fillfactor = 80);""");
    }

    /** The next number of each given member's stream, one per entry, in order (a member listed twice gets two). */
    public Mono<List<Long>> next(String stream, List<MemberKey> members) {
        if (members.isEmpty()) {
            return Mono.just(List.of());
        }
        Map<MemberKey, Long> counts = new LinkedHashMap<>();
        members.forEach(member -> counts.merge(member, 1L, Long::sum));
        String[] merchants = new String[counts.size()];
        String[] customers = new String[counts.size()];
        Long[] increments = new Long[counts.size()];
        int i = 0;
        for (Map.Entry<MemberKey, Long> count : counts.entrySet()) {
            merchants[i] = count.getKey().merchantId();
            customers[i] = count.getKey().customerId();
            increments[i++] = count.getValue();
        }
        // Locks are taken in one order (sorted) so two batches touching the same members cannot deadlock.
        return table.ensure().then(db.sql("""
                        insert into fugou_member_sequence as s (stream, merchant_id, customer_id, last_value)
                        select :stream, u.merchant_id, u.customer_id, u.increment
                        from unnest(cast(:merchants as text[]), cast(:customers as text[]), cast(:increments as bigint[]))
                             as u(merchant_id, customer_id, increment)
                        order by u.merchant_id, u.customer_id
                        on conflict (stream, merchant_id, customer_id) do update set last_value = s.last_value + excluded.last_value
                        returning merchant_id, customer_id, last_value""")
                .bind("stream", stream)
                .bind("merchants", merchants)
                .bind("customers", customers)
                .bind("increments", increments)
                .map((row, meta) -> Map.entry(new MemberKey(row.get("merchant_id", String.class), row.get("customer_id", String.class)),
                        row.get("last_value", Long.class)))
                .all()
                .collectMap(Map.Entry::getKey, Map.Entry::getValue)
                .map(last -> {
                    Map<MemberKey, Long> nextOf = new HashMap<>();
                    last.forEach((member, value) -> nextOf.put(member, value - counts.get(member) + 1));
                    List<Long> numbers = new ArrayList<>(members.size());
                    for (MemberKey member : members) {
                        numbers.add(nextOf.merge(member, 1L, Long::sum) - 1);
                    }
                    return numbers;
                }));
    }
}
