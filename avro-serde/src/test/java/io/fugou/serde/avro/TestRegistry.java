package io.fugou.serde.avro;

import io.fugou.infra.LocalSchemaRegistry;
import java.util.HashMap;
import java.util.Map;

/** One real schema registry for all of this module's tests, started on first use, stopped with the JVM. */
final class TestRegistry {

    private static LocalSchemaRegistry registry;

    private TestRegistry() {
    }

    static synchronized LocalSchemaRegistry get() {
        if (registry == null) {
            registry = LocalSchemaRegistry.start(0);
        }
        return registry;
    }

    /** Serde configuration against the test registry, plus key/value pairs. */
    static Map<String, Object> config(Object... extra) {
        Map<String, Object> config = new HashMap<>();
        config.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL, get().url());
        config.put(AvroSerdeConfig.TRUSTED_PACKAGES, "io.fugou.events");
        for (int i = 0; i < extra.length; i += 2) {
            config.put((String) extra[i], extra[i + 1]);
        }
        return config;
    }
}
