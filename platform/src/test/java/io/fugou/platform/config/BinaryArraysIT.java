package io.fugou.platform.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.fugou.infra.LocalInfrastructure;
import io.fugou.infra.LocalPostgres;
import io.r2dbc.postgresql.extension.Extension;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryOptions;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.springframework.r2dbc.core.DatabaseClient;

/**
 * Arrays bound to batch statements reach PostgreSQL as they were, element for element, in the binary form the platform
 * sends them in: the characters text arrays are written with (quotes, backslashes, commas, braces, the word NULL),
 * nulls, the extremes of numbers, dates and times either side of PostgreSQL's epoch.
 */
class BinaryArraysIT {

    private final DatabaseClient db = DatabaseClient.create(connections());

    @Test
    void theDriverLoadsTheBinaryArraysForEveryConnection() {
        assertThat(ServiceLoader.load(Extension.class).stream().map(ServiceLoader.Provider::type)).contains(BinaryArrays.class);
    }

    @Test
    void textArraysArriveAsTheyWere() {
        String[] values = {"plain", "a,b", "\"quoted\"", "back\\slash", "{braces}", "NULL", null, "", " spaced ", "复购 🛒", "line\nbreak"};
        assertThat(roundTrip("text", values, String.class)).containsExactly(values);
    }

    @Test
    void numberAndBooleanArraysArriveAsTheyWere() {
        Long[] longs = {Long.MIN_VALUE, -1L, 0L, null, Long.MAX_VALUE};
        Integer[] ints = {Integer.MIN_VALUE, null, 7, Integer.MAX_VALUE};
        Boolean[] booleans = {true, null, false};
        assertThat(roundTrip("bigint", longs, Long.class)).containsExactly(longs);
        assertThat(roundTrip("int", ints, Integer.class)).containsExactly(ints);
        assertThat(roundTrip("boolean", booleans, Boolean.class)).containsExactly(booleans);
    }

    @Test
    void datesAndTimesArriveAsTheInstantsAndDaysTheyWere() {
        LocalDate[] dates = {LocalDate.of(1, 1, 1), LocalDate.of(1999, 12, 31), LocalDate.of(2000, 1, 1), null, LocalDate.of(2026, 11, 30)};
        assertThat(roundTrip("date", dates, LocalDate.class)).containsExactly(dates);

        OffsetDateTime[] times = {
                OffsetDateTime.of(1970, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC),
                OffsetDateTime.of(1999, 12, 31, 23, 59, 59, 999_999_000, ZoneOffset.UTC),
                null,
                OffsetDateTime.of(2026, 11, 30, 18, 30, 15, 123_456_000, ZoneOffset.ofHours(8)),
                OffsetDateTime.of(2026, 11, 30, 18, 30, 15, 1_500, ZoneOffset.UTC)};
        List<Instant> expected = Arrays.stream(times).map(time -> time == null ? null : time.toInstant()).toList();
        List<Instant> arrived = roundTrip("timestamptz", times, OffsetDateTime.class).stream()
                .map(time -> time == null ? null : time.toInstant()).toList();
        // The last has 1.5 microseconds: PostgreSQL keeps microseconds, rounding half to even, as it does for a time given as text.
        assertThat(arrived).containsExactly(expected.get(0), expected.get(1), null, expected.get(3), expected.get(4).plusNanos(500));

        Instant[] instants = expected.toArray(Instant[]::new);
        List<Instant> arrivedFromInstants = roundTrip("timestamptz", instants, OffsetDateTime.class).stream()
                .map(time -> time == null ? null : time.toInstant()).toList();
        assertThat(arrivedFromInstants).as("bound as instants").isEqualTo(arrived);
    }

    @Test
    void emptyArraysArriveEmpty() {
        assertThat(db.sql("select cardinality(cast(:values as text[])) + cardinality(cast(:numbers as bigint[]))")
                .bind("values", new String[0]).bind("numbers", new Long[0])
                .map(row -> row.get(0, Integer.class)).one().block(Duration.ofSeconds(30))).isZero();
    }

    @Test
    void arraysStillArriveAsTextWhereNoBinaryFormIsSent() {
        Double[] doubles = {1.5, null, -2.25};
        assertThat(roundTrip("float8", doubles, Double.class)).containsExactly(doubles);
    }

    private <T> List<T> roundTrip(String type, Object[] values, Class<T> elementType) {
        return db.sql("select u.value from unnest(cast(:values as " + type + "[])) with ordinality as u(value, position) order by u.position")
                .bind("values", values)
                .map(row -> Optional.ofNullable(row.get(0, elementType)))
                .all().collectList().block(Duration.ofSeconds(30))
                .stream().map(value -> value.orElse(null)).toList();
    }

    private static ConnectionFactory connections() {
        LocalPostgres.Database database = LocalInfrastructure.shared().postgres().database("binary_arrays_test");
        return ConnectionFactories.get(ConnectionFactoryOptions.parse(database.r2dbcUrl()).mutate()
                .option(ConnectionFactoryOptions.USER, database.user()).option(ConnectionFactoryOptions.PASSWORD, database.password()).build());
    }
}
