package io.fugou.platform.pipeline;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Splits a batch into waves of one event type each, applied one after the other, so each type's
 * handler gets its events together (one set-based statement) while every key's events stay in the
 * order they were read: an event joins the first wave of its type that is not earlier than its key's
 * previous event's wave. A batch of one type is one wave; mixed types cost a wave only where a key's
 * order demands it.
 */
final class Waves {

    private Waves() {
    }

    record Wave<T>(Object type, List<T> items) {
    }

    static <T> List<Wave<T>> split(List<T> items, Function<T, Object> typeOf, Function<T, Object> keyOf) {
        List<Wave<T>> waves = new ArrayList<>();
        Map<Object, Integer> lastWaveOfKey = new HashMap<>();
        for (T item : items) {
            Object type = typeOf.apply(item);
            Object key = keyOf.apply(item);
            int chosen = -1;
            for (int wave = lastWaveOfKey.getOrDefault(key, 0); wave < waves.size(); wave++) {
                if (waves.get(wave).type().equals(type)) {
                    chosen = wave;
                    break;
                }
            }
            if (chosen < 0) {
                waves.add(new Wave<>(type, new ArrayList<>()));
                chosen = waves.size() - 1;
            }
            waves.get(chosen).items().add(item);
            lastWaveOfKey.put(key, chosen);
        }
        return waves;
    }
}
