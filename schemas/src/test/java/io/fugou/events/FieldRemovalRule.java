package io.fugou.events;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.avro.Schema;

/**
 * Avro's BACKWARD check lets a new schema drop any field, yet a consumer still on the released
 * schema then fails on new data if the dropped field had no default. This rule finds such
 * removals: every field without a default in a released record must still exist, by its name, in
 * the current record of the same full name. A rename does not count as keeping the field, even with
 * the old name as an alias: a reader resolves names with its own aliases, and the released reader
 * has none for the new name. {@link ForwardCompatibilityRule} finds this too, among everything
 * else a released reader would misread; this rule says it in words a schema author acts on.
 */
final class FieldRemovalRule {

    private FieldRemovalRule() {
    }

    static List<String> removedFieldsWithoutDefault(Schema released, Schema current) {
        List<String> problems = new ArrayList<>();
        collect(released, current, new HashSet<>(), problems);
        return problems;
    }

    private static void collect(Schema released, Schema current, Set<String> seen, List<String> problems) {
        switch (released.getType()) {
            case RECORD -> {
                if (!seen.add(released.getFullName())) {
                    return;
                }
                Schema currentRecord = findNamed(current, released.getFullName(), new HashSet<>());
                if (currentRecord == null) {
                    return; // a whole event type removed is caught by Avro's union check
                }
                for (Schema.Field field : released.getFields()) {
                    if (currentRecord.getField(field.name()) == null && !field.hasDefaultValue()) {
                        problems.add(released.getFullName() + "." + field.name()
                                + " was removed or renamed but has no default, so consumers on the released schema cannot read new data");
                    }
                    collect(field.schema(), current, seen, problems);
                }
            }
            case UNION -> released.getTypes().forEach(branch -> collect(branch, current, seen, problems));
            case ARRAY -> collect(released.getElementType(), current, seen, problems);
            case MAP -> collect(released.getValueType(), current, seen, problems);
            default -> {
            }
        }
    }

    private static Schema findNamed(Schema schema, String fullName, Set<Schema> visited) {
        if (!visited.add(schema)) {
            return null;
        }
        return switch (schema.getType()) {
            case RECORD -> {
                if (schema.getFullName().equals(fullName)) {
                    yield schema;
                }
                for (Schema.Field field : schema.getFields()) {
                    Schema found = findNamed(field.schema(), fullName, visited);
                    if (found != null) {
                        yield found;
                    }
                }
                yield null;
            }
            case UNION -> schema.getTypes().stream()
                    .map(branch -> findNamed(branch, fullName, visited))
                    .filter(s -> s != null).findFirst().orElse(null);
            case ARRAY -> findNamed(schema.getElementType(), fullName, visited);
            case MAP -> findNamed(schema.getValueType(), fullName, visited);
            default -> null;
        };
    }
}
