package io.fugou.serde.avro;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * Schemas a newer (or foreign) producer would write with, derived from the current contract's JSON,
 * and records in them: what a shop on a later release sends before our services are upgraded.
 */
final class NewerSchemas {

    private static final ObjectMapper json = new ObjectMapper();

    private NewerSchemas() {
    }

    /** The schema with one more branch in the union of field {@code field} of record {@code record} (simple name). */
    static Schema withBranch(Schema current, String record, String field, String branchJson) {
        ObjectNode tree = tree(current);
        ObjectNode owner = findRecord(tree, record);
        if (owner == null) {
            throw new IllegalArgumentException("no record " + record + " in " + current.getFullName());
        }
        for (JsonNode f : owner.path("fields")) {
            if (f.path("name").asText().equals(field)) {
                if (!(f.get("type") instanceof ArrayNode union)) {
                    throw new IllegalArgumentException(record + "." + field + " is not a union");
                }
                JsonNode branch = read(branchJson);
                String name = branch.path("name").asText();
                if (current.toString().contains("\"name\":\"" + name + "\"")) {
                    throw new IllegalStateException("the current contract already has a type named " + name
                            + ": pick a type it does not have for this test");
                }
                union.add(branch);
                return new Schema.Parser().parse(tree.toString());
            }
        }
        throw new IllegalArgumentException("no field " + field + " in " + record);
    }

    /** The same schema with every namespace starting with {@code from} moved under {@code to}. */
    static Schema inNamespace(Schema current, String from, String to) {
        return new Schema.Parser().parse(current.toString().replace("\"" + from, "\"" + to));
    }

    /** A generated record as a GenericRecord of another schema of the same structure (or a newer one). */
    static GenericRecord asGeneric(SpecificRecord record, Schema schema) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
            new SpecificDatumWriter<SpecificRecord>(record.getSchema()).write(record, encoder);
            encoder.flush();
            return new GenericDatumReader<GenericRecord>(record.getSchema(), schema)
                    .read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The schema's JSON without {@code avro.java.string}, as a shop's own .avsc file has it. */
    static String withoutJavaStrings(Schema schema) {
        ObjectNode tree = tree(schema);
        strip(tree);
        return tree.toString();
    }

    private static void strip(JsonNode node) {
        if (node instanceof ObjectNode object) {
            object.remove("avro.java.string");
        }
        node.forEach(NewerSchemas::strip);
    }

    private static ObjectNode findRecord(JsonNode node, String name) {
        if (node instanceof ObjectNode object && "record".equals(object.path("type").asText()) && name.equals(object.path("name").asText())) {
            return object;
        }
        for (JsonNode child : node) {
            ObjectNode found = findRecord(child, name);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    private static ObjectNode tree(Schema schema) {
        return (ObjectNode) read(schema.toString());
    }

    private static JsonNode read(String text) {
        try {
            return json.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
