package io.fugou.platform.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.fugou.events.Topics;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Event ids stay what they were: a rebuilt event, or one built by the next release, is the same event. */
class EnvelopesTest {

    @Test
    void shouldNameEachFactByTheSameVersion3UuidAsTheJdkAcrossCallsAndThreads() {
        List<String> facts = List.of("m-1/order:o-1", "m-1/order:o-2", "店铺-7/兑换:r-1", "", "m-1/" + "x".repeat(500));
        for (String fact : facts) {
            String jdk = UUID.nameUUIDFromBytes((Topics.POINTS.name() + "/" + fact).getBytes(StandardCharsets.UTF_8)).toString();
            assertThat(Envelopes.eventId(Topics.POINTS, fact)).isEqualTo(jdk);
            assertThat(UUID.fromString(Envelopes.eventId(Topics.POINTS, fact)).version()).isEqualTo(3);
        }
        // Another topic, another id for the same fact.
        assertThat(Envelopes.eventId(Topics.MEMBERS, "m-1/order:o-1")).isNotEqualTo(Envelopes.eventId(Topics.POINTS, "m-1/order:o-1"));
        // Each thread's digest starts clean, however many ids it made before.
        List<CompletableFuture<List<String>>> threads = IntStream.range(0, 4).mapToObj(t -> CompletableFuture.supplyAsync(
                () -> IntStream.range(0, 1_000).mapToObj(i -> Envelopes.eventId(Topics.POINTS, "m-1/order:o-" + (i % 10))).distinct().toList()))
                .toList();
        threads.forEach(thread -> assertThat(thread.join()).hasSize(10)
                .contains(UUID.nameUUIDFromBytes((Topics.POINTS.name() + "/m-1/order:o-3").getBytes(StandardCharsets.UTF_8)).toString()));
    }
}
