package io.fugou.platform.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class WavesTest {

    record Event(String key, String type, int order) {
    }

    private static List<Waves.Wave<Event>> split(Event... events) {
        return Waves.split(List.of(events), Event::type, Event::key);
    }

    @Test
    void shouldMakeOneWaveOfABatchOfOneType() {
        assertThat(split(new Event("a", "paid", 1), new Event("b", "paid", 2), new Event("a", "paid", 3)))
                .singleElement().satisfies(wave -> assertThat(wave.items()).extracting(Event::order).containsExactly(1, 2, 3));
    }

    @Test
    void shouldKeepEachKeysOrderWhenTypesAlternate() {
        List<Waves.Wave<Event>> waves = split(new Event("a", "paid", 1), new Event("a", "cancelled", 2), new Event("a", "paid", 3));

        assertThat(waves).extracting(Waves.Wave::type).containsExactly("paid", "cancelled", "paid");
        assertThat(waves.stream().flatMap(wave -> wave.items().stream()).map(Event::order)).containsExactly(1, 2, 3);
    }

    @Test
    void shouldLetOtherKeysJoinEarlierWavesOfTheirType() {
        List<Waves.Wave<Event>> waves = split(new Event("a", "paid", 1), new Event("a", "cancelled", 2),
                new Event("b", "paid", 3), new Event("c", "cancelled", 4), new Event("a", "paid", 5));

        assertThat(waves).hasSize(3);
        assertThat(waves.get(0).items()).extracting(Event::order).containsExactly(1, 3);
        assertThat(waves.get(1).items()).extracting(Event::order).containsExactly(2, 4);
        assertThat(waves.get(2).items()).extracting(Event::order).containsExactly(5);
    }
}
