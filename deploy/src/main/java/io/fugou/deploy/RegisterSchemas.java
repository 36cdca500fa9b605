package io.fugou.deploy;

import io.fugou.platform.kafka.SchemaContracts;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * For operators: registers every fugou topic contract with a production schema registry (Confluent
 * Schema Registry API), so shops can write with the latest schema from the start. Run by
 * {@code deploy/register-schemas <registry-url>}; credentials in SCHEMA_REGISTRY_USER_INFO (user:password).
 */
public final class RegisterSchemas {

    private RegisterSchemas() {
    }

    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: deploy/register-schemas <schema-registry-url>   (SCHEMA_REGISTRY_USER_INFO=user:password for basic auth)");
            System.exit(2);
        }
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("schema.registry.url", args[0]);
        String userInfo = System.getenv("SCHEMA_REGISTRY_USER_INFO");
        if (userInfo != null && !userInfo.isBlank()) {
            config.put("basic.auth.credentials.source", "USER_INFO");
            config.put("basic.auth.user.info", userInfo);
        }
        Map<String, Integer> ids = SchemaContracts.registerAll(config,
                (subject, id) -> System.out.printf("[fugou] %-32s schema id %d%n", subject, id));
        System.out.println("[fugou] " + ids.size() + " contracts registered at " + args[0]);
    }
}
