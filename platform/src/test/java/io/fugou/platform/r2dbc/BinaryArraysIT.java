package io.fugou.platform.r2dbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.fugou.infra.LocalInfrastructure;
import io.fugou.infra.LocalPostgres;
import io.r2dbc.postgresql.extension.Extension;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryOptions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Arrays bound in the binary format reach PostgreSQL as they were in Java, whatever their elements hold. */
class BinaryArraysIT {

    private static Connection connection;

    @BeforeAll
    static void connect() {
        LocalPostgres.Database database = LocalInfrastructure.shared().postgres().database("binary_arrays_test");
        ConnectionFactory factory = ConnectionFactories.get(ConnectionFactoryOptions.parse(database.r2dbcUrl()).mutate()
                .option(ConnectionFactoryOptions.USER, database.user()).option(ConnectionFactoryOptions.PASSWORD, database.password()).build());
        connection = Mono.from(factory.create()).block();
    }

    @AfterAll
    static void close() {
        if (connection != null) {
            Mono.from(connection.close()).block();
        }
    }

    @Test
    void theDriverFindsTheEncoder() {
        assertThat(ServiceLoader.load(Extension.class).stream().map(ServiceLoader.Provider::type)).contains(BinaryArrays.class);
    }

    @Test
    void textsComeBackAsTheyWereWithQuotesBackslashesBracesCommasSpacesNullsAndUnicode() {
        String[] texts = {"plain", "with \"quotes\"", "back\\slash", "{braces}", "a,b", " spaced ", "", null, "NULL", "会员 🍺", "x".repeat(5000)};

        assertThat(unnest("text", texts)).containsExactly((Object[]) texts);
        assertThat(one("select cardinality(cast($1 as text[]))", texts)).isEqualTo(texts.length);
    }

    @Test
    void longsAndIntegersComeBackAsTheyWereWithNullsAndExtremes() {
        Long[] longs = {0L, -1L, Long.MAX_VALUE, Long.MIN_VALUE, null, 42L};
        Integer[] integers = {0, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, null, 7};

        assertThat(unnest("bigint", longs)).containsExactly((Object[]) longs);
        assertThat(unnest("int", integers)).containsExactly((Object[]) integers);
    }

    @Test
    void emptyArraysAreEmpty() {
        assertThat(one("select cardinality(cast($1 as text[]))", new String[0])).isEqualTo(0);
        assertThat(one("select cardinality(cast($1 as bigint[]))", new Long[0])).isEqualTo(0);
    }

    @Test
    void aBatchOfRowsGoesInThroughUnnestAsTheServicesWriteThem() {
        Mono.from(connection.createStatement("create table if not exists binary_arrays_rows (id text primary key, amount bigint, n int)").execute())
                .flatMap(result -> Mono.from(result.getRowsUpdated())).block();
        String[] ids = {"a:1", "b\"2", "c\\3"};
        Flux.from(connection.createStatement("insert into binary_arrays_rows select * from unnest(cast($1 as text[]), cast($2 as bigint[]), cast($3 as int[]))")
                .bind("$1", ids).bind("$2", new Long[] {10L, null, 30L}).bind("$3", new Integer[] {1, 2, null}).execute())
                .flatMap(result -> result.getRowsUpdated()).blockLast();

        List<String> rows = Flux.from(connection.createStatement("select id, amount, n from binary_arrays_rows where id = any(cast($1 as text[])) order by id")
                        .bind("$1", ids).execute())
                .flatMap(result -> result.map((row, meta) -> row.get("id", String.class) + "=" + row.get("amount", Long.class) + "/" + row.get("n", Integer.class)))
                .collectList().block();
        assertThat(rows).containsExactly("a:1=10/1", "b\"2=null/2", "c\\3=30/null");
    }

    private static List<Object> unnest(String type, Object[] array) {
        Class<?> elementType = array.getClass().getComponentType();
        List<Object> values = new ArrayList<>();
        Flux.from(connection.createStatement("select v from unnest(cast($1 as " + type + "[])) with ordinality as u(v, i) order by i")
                        .bind("$1", array).execute())
                .flatMap(result -> result.map((row, meta) -> Arrays.asList(row.get("v", elementType))))
                .doOnNext(values::addAll).blockLast();
        return values;
    }

    private static Object one(String sql, Object array) {
        return Flux.from(connection.createStatement(sql).bind("$1", array).execute())
                .flatMap(result -> result.map((row, meta) -> row.get(0, Integer.class))).blockFirst();
    }
}
