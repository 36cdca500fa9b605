package io.fugou.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MerchantScopedSqlTest {

    @Test
    void shouldFlagAQueryThatForgetsTheMerchant(@TempDir Path sources) throws Exception {
        Files.writeString(sources.resolve("Points.java"), """
                class Points {
                    Object balance() { return db.sql(\"""
                            select balance from points_balance where customer_id = :customer\""").fetch(); }
                    Object scoped() { return db.sql("select balance from points_balance where merchant_id = :m and customer_id = :c"); }
                    Object record() { return db.sql("insert into ledger (merchant_id, points) values (:m, :p)"); }
                    Object wipe() { return db.sql("delete from ledger where customer_id = :c"); }
                    Object schema() { return db.sql("create table if not exists ledger (id bigint)"); }
                    Object tiers() { return db.sql("select name from currency where code = :code"); }
                }
                """);

        assertThat(MerchantScopedSql.unscopedStatements(sources, Set.of("currency")))
                .containsExactlyInAnyOrder(
                        "Points.java: select balance from points_balance where customer_id = :customer",
                        "Points.java: delete from ledger where customer_id = :c");
    }

    @Test
    void shouldLetAStatementThatSaysWhyItSpansMerchantsThrough() {
        assertThat(MerchantScopedSql.isScoped("-- across merchants: the daily jobs' list\nselect distinct merchant_id from ledger", Set.of()))
                .isTrue();
        assertThat(MerchantScopedSql.isScoped("select distinct merchant_id from ledger -- across merchants: not the first line", Set.of()))
                .isFalse();
    }

    @Test
    void shouldLetASelectThatReadsNoTableThrough() {
        assertThat(MerchantScopedSql.isScoped("select pg_advisory_xact_lock(hashtext(:merchant || ':' || :customer))", Set.of())).isTrue();
        assertThat(MerchantScopedSql.isScoped("select pg_advisory_xact_lock(1) from ledger", Set.of())).isFalse();
        assertThat(MerchantScopedSql.isScoped("select pg_advisory_xact_lock(u.k) from unnest(cast(:keys as bigint[])) as u(k)", Set.of())).isTrue();
        assertThat(MerchantScopedSql.isScoped("select l.points from unnest(cast(:ids as text[])) as u(id) join ledger l on l.id = u.id", Set.of()))
                .isFalse();
    }

    @Test
    void shouldNotBeFooledByAMerchantColumnOutsideTheWhere() {
        assertThat(MerchantScopedSql.isScoped("select merchant_id, points from ledger where customer_id = :c", Set.of())).isFalse();
        assertThat(MerchantScopedSql.isScoped("update ledger set points = 0 where merchant_id = :m and customer_id = :c", Set.of())).isTrue();
    }
}
