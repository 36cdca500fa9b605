package io.fugou.serde.avro;

import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.IndexedRecord;

/**
 * Avro resolves a writer's union branch that the reader lacks to the first reader branch that fits
 * by structure, silently (STACK.md trap 17): a new {@code OrderCompleted{orderId}} would be read as
 * {@code OrderCancelled}. This finds the named branches a writer has and the reader does not, so the
 * deserializer can refuse to misread a datum that uses one.
 */
final class UnionBranches {

    private UnionBranches() {
    }

    /** Full names of named types in writer unions with no branch of the same full name in the reader's union. */
    static Set<String> missingFromReader(Schema writer, Schema reader) {
        Set<String> missing = new LinkedHashSet<>();
        walk(writer, reader, missing, new HashSet<>());
        return missing;
    }

    private static void walk(Schema writer, Schema reader, Set<String> missing, Set<String> seen) {
        switch (writer.getType()) {
            case RECORD -> {
                if (reader.getType() != Schema.Type.RECORD || !seen.add(writer.getFullName() + "->" + reader.getFullName())) {
                    return;
                }
                for (Schema.Field field : writer.getFields()) {
                    Schema.Field readerField = reader.getField(field.name());
                    if (readerField != null) {
                        walk(field.schema(), readerField.schema(), missing, seen);
                    }
                }
            }
            case UNION -> {
                for (Schema branch : writer.getTypes()) {
                    Schema match = reader.getType() == Schema.Type.UNION ? sameBranch(branch, reader) : sameType(branch, reader) ? reader : null;
                    if (match == null) {
                        if (isNamed(branch)) {
                            missing.add(branch.getFullName());
                        }
                    } else {
                        walk(branch, match, missing, seen);
                    }
                }
            }
            case ARRAY -> {
                if (reader.getType() == Schema.Type.ARRAY) {
                    walk(writer.getElementType(), reader.getElementType(), missing, seen);
                }
            }
            case MAP -> {
                if (reader.getType() == Schema.Type.MAP) {
                    walk(writer.getValueType(), reader.getValueType(), missing, seen);
                }
            }
            default -> {
            }
        }
    }

    private static Schema sameBranch(Schema writerBranch, Schema readerUnion) {
        for (Schema candidate : readerUnion.getTypes()) {
            if (sameType(writerBranch, candidate)) {
                return candidate;
            }
        }
        return null;
    }

    private static boolean sameType(Schema writer, Schema reader) {
        if (isNamed(writer)) {
            return isNamed(reader) && writer.getFullName().equals(reader.getFullName());
        }
        return writer.getType() == reader.getType();
    }

    private static boolean isNamed(Schema schema) {
        return schema.getType() == Schema.Type.RECORD || schema.getType() == Schema.Type.ENUM || schema.getType() == Schema.Type.FIXED;
    }

    /** The names among {@code unknown} that this datum (read with the writer's schema) actually uses. */
    static Set<String> used(Object datum, Set<String> unknown) {
        Set<String> used = new LinkedHashSet<>();
        collect(datum, unknown, used);
        return used;
    }

    private static void collect(Object datum, Set<String> unknown, Set<String> used) {
        if (datum instanceof GenericContainer container && unknown.contains(container.getSchema().getFullName())) {
            used.add(container.getSchema().getFullName());
        }
        if (datum instanceof IndexedRecord record) {
            for (int i = 0; i < record.getSchema().getFields().size(); i++) {
                collect(record.get(i), unknown, used);
            }
        } else if (datum instanceof Iterable<?> items) {
            items.forEach(item -> collect(item, unknown, used));
        } else if (datum instanceof java.util.Map<?, ?> map) {
            map.values().forEach(value -> collect(value, unknown, used));
        }
    }
}
