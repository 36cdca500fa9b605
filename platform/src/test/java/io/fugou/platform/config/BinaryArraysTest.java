package io.fugou.platform.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocator;
import io.r2dbc.postgresql.codec.DefaultCodecs;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/** Once registered, the driver's own codec lookup (as each connection has it) sends the seven array classes in binary, and only them. */
class BinaryArraysTest {

    @Test
    void theDriverSendsTheSevenArrayClassesInBinaryOnceRegisteredAndTheRestAsBefore() {
        DefaultCodecs codecs = new DefaultCodecs(ByteBufAllocator.DEFAULT);
        assertThat(codecs.encode(new String[] {"a"}).toString()).as("the driver's own").contains("format=FORMAT_TEXT");

        Mono.from(new BinaryArrays().register(null, ByteBufAllocator.DEFAULT, codecs)).block();

        List<Object[]> arrays = List.of(new String[] {"a"}, new Long[] {1L}, new Integer[] {1}, new Boolean[] {true},
                new LocalDate[] {LocalDate.of(2026, 11, 30)}, new OffsetDateTime[] {OffsetDateTime.of(2026, 11, 30, 8, 0, 0, 0, ZoneOffset.UTC)},
                new Instant[] {Instant.parse("2026-11-30T08:00:00Z")});
        for (Object[] array : arrays) {
            assertThat(codecs.encode(array).toString()).as(array.getClass().getSimpleName()).contains("format=FORMAT_BINARY");
        }
        assertThat(codecs.encode(new Double[] {1.0}).toString()).contains("format=FORMAT_TEXT");
        assertThat(codecs.encode(new String[] {"a"}).toString()).as("typed as text[]").contains("type=1009");
    }
}
