package io.fugou.serde.avro;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;

/** The Avro schema of a value, for records and for the primitive types Confluent's serializer also accepts. */
final class AvroSchemas {

    /** The property our generated classes carry ({@code <stringType>String</stringType>}) and shops' .avsc files usually do not. */
    static final String JAVA_STRING_PROPERTY = "avro.java.string";
    private static final ObjectMapper json = new ObjectMapper();

    private AvroSchemas() {
    }

    static Schema schemaOf(Object value) {
        if (value instanceof GenericContainer container) {
            return container.getSchema();
        }
        if (value instanceof String) {
            return Schema.create(Schema.Type.STRING);
        }
        if (value instanceof Integer) {
            return Schema.create(Schema.Type.INT);
        }
        if (value instanceof Long) {
            return Schema.create(Schema.Type.LONG);
        }
        if (value instanceof Boolean) {
            return Schema.create(Schema.Type.BOOLEAN);
        }
        if (value instanceof Double) {
            return Schema.create(Schema.Type.DOUBLE);
        }
        if (value instanceof Float) {
            return Schema.create(Schema.Type.FLOAT);
        }
        if (value instanceof byte[] || value instanceof ByteBuffer) {
            return Schema.create(Schema.Type.BYTES);
        }
        throw new IllegalArgumentException("not an Avro record or primitive: " + value.getClass().getName());
    }

    /**
     * The schema without its {@code avro.java.string} properties, as Confluent's serializer does with
     * {@code avro.remove.java.properties=true} (AvroSchemaUtils.removeJavaProperties): that property
     * names the Java type strings are read into, nothing about the data, yet registries compare it.
     */
    static Schema withoutJavaProperties(Schema schema) {
        try {
            JsonNode tree = json.readTree(schema.toString());
            removeProperty(tree, JAVA_STRING_PROPERTY);
            return new Schema.Parser().parse(tree.toString());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot re-read the schema of " + schema.getFullName(), e);
        }
    }

    private static void removeProperty(JsonNode node, String property) {
        if (node instanceof ObjectNode object) {
            object.remove(property);
        }
        if (node.isContainerNode()) {
            node.forEach(child -> removeProperty(child, property));
        }
    }
}
