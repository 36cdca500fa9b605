package io.fugou.platform.kafka;

import io.fugou.events.Topic;
import io.fugou.events.Topics;
import io.fugou.serde.avro.AvroSerdeConfig;
import io.fugou.serde.avro.SchemaRegistryClient;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Registers every topic's value contract under its subject ({@code <topic>-value}), so a shop that
 * writes with the latest registered schema ({@code use.latest.version}) finds it before any of our
 * services has produced. Registering a schema already there changes nothing.
 */
public final class SchemaContracts {

    private SchemaContracts() {
    }

    /**
     * @param registryConfig the serde's configuration keys ({@code schema.registry.url}, credentials...)
     * @param progress       told each subject and the id it has
     * @return subject to schema id
     */
    public static Map<String, Integer> registerAll(Map<String, ?> registryConfig, BiConsumer<String, Integer> progress) {
        SchemaRegistryClient registry = new SchemaRegistryClient(AvroSerdeConfig.from(registryConfig));
        Map<String, Integer> ids = new LinkedHashMap<>();
        for (Topic<?> topic : Topics.ALL) {
            int id = registry.register(topic.valueSubject(), topic.valueSchema());
            ids.put(topic.valueSubject(), id);
            progress.accept(topic.valueSubject(), id);
        }
        return ids;
    }

    public static Map<String, Integer> registerAll(String registryUrl) {
        return registerAll(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL, registryUrl), (subject, id) -> {
        });
    }
}
