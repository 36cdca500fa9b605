package io.fugou.events;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.avro.Schema;

/**
 * Every enum has a default symbol. A reader resolves a symbol it does not know to its own enum's
 * default; without one it fails on the whole record. So the default is what lets a later version
 * add a symbol: {@link ForwardCompatibilityRule} refuses a new symbol while any released reader
 * of the enum lacks a default.
 */
final class EnumDefaultRule {

    private EnumDefaultRule() {
    }

    /** Full names of the enums in {@code schema} (at any depth) that have no default symbol. */
    static List<String> enumsWithoutDefault(Schema schema) {
        List<String> missing = new ArrayList<>();
        collect(schema, new HashSet<>(), missing);
        return missing;
    }

    private static void collect(Schema schema, Set<String> seen, List<String> missing) {
        switch (schema.getType()) {
            case ENUM -> {
                if (seen.add(schema.getFullName()) && schema.getEnumDefault() == null) {
                    missing.add(schema.getFullName());
                }
            }
            case RECORD -> {
                if (seen.add(schema.getFullName())) {
                    schema.getFields().forEach(field -> collect(field.schema(), seen, missing));
                }
            }
            case UNION -> schema.getTypes().forEach(branch -> collect(branch, seen, missing));
            case ARRAY -> collect(schema.getElementType(), seen, missing);
            case MAP -> collect(schema.getValueType(), seen, missing);
            default -> {
            }
        }
    }
}
