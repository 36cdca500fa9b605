package io.fugou.events;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.avro.Schema;

/**
 * Finds field docs copied from another field whose meaning differs. A doc may be repeated only on
 * fields that mean the same thing, which this rule reads from their shape:
 * <ol>
 *   <li>the same doc on fields of <b>different names</b> is copied (each name deserves its own words);</li>
 *   <li>the same doc on fields of one name but <b>different types</b> is copied: it cannot be right for
 *       both (an "if any" on a field that is always there);</li>
 *   <li>the same doc on fields of one name and type in records of <b>different namespaces</b> (topics)
 *       is copied, unless the name is in {@link #SHARED_MEANINGS}.</li>
 * </ol>
 * Rules 2 and 3 leave alone the fields of topics' value records (the envelope: eventId, merchantId,
 * payload...), which mean the same on every topic.
 * So {@code orderId} with one doc on every order event passes, and a template id documented as a
 * coupon template on a notification does not. Each record is looked at once, by full name, so a
 * shared type such as {@code Money} does not count as a repeat.
 */
final class CopiedDocRule {

    /** Field names that mean the same in every topic that carries them, so they may share a doc across topics. */
    static final Map<String, String> SHARED_MEANINGS = Map.of(
            "sku", "the shop's stock keeping unit, whether browsed, carted or bought",
            "productId", "the shop's product id, whether browsed or bought",
            "campaignId", "a campaign-service campaign, whichever topic names it",
            "referrerCustomerId", "the referring member, from the shop's request to member-service's enrolment",
            "birthday", "a profile value the shop sends and member-service keeps",
            "region", "a profile value the shop sends and member-service keeps");

    private CopiedDocRule() {
    }

    private record Use(String record, String namespace, boolean topLevel, String field, Schema type) {

        String where() {
            return record + "." + field;
        }
    }

    static List<String> copiedDocs(Collection<Schema> valueSchemas) {
        Map<String, List<Use>> byDoc = new LinkedHashMap<>();
        Set<String> seen = new HashSet<>();
        for (Schema value : valueSchemas) {
            collect(value, true, seen, byDoc);
        }
        List<String> problems = new ArrayList<>();
        byDoc.forEach((doc, uses) -> {
            if (uses.size() < 2) {
                return;
            }
            Set<String> names = uses.stream().map(Use::field).collect(Collectors.toCollection(TreeSet::new));
            if (names.size() > 1) {
                problems.add("\"" + doc + "\" is on fields of different names: " + list(uses));
                return;
            }
            if (uses.stream().allMatch(Use::topLevel)) {
                return; // the envelope: one meaning on every topic (the payload's union differs by topic)
            }
            if (uses.stream().map(Use::type).distinct().count() > 1) {
                problems.add("\"" + doc + "\" is on fields of different types: "
                        + uses.stream().map(u -> u.where() + " (" + shortName(u.type()) + ")").collect(Collectors.joining(", ")));
                return;
            }
            boolean acrossTopics = uses.stream().map(Use::namespace).distinct().count() > 1;
            if (acrossTopics && !SHARED_MEANINGS.containsKey(uses.getFirst().field())) {
                problems.add("\"" + doc + "\" is on fields of different topics: " + list(uses)
                        + " (give each its own doc, or add the name to CopiedDocRule.SHARED_MEANINGS if it means the same everywhere)");
            }
        });
        return problems;
    }

    private static String list(List<Use> uses) {
        return uses.stream().map(Use::where).collect(Collectors.joining(", "));
    }

    private static String shortName(Schema type) {
        return switch (type.getType()) {
            case RECORD, ENUM, FIXED -> type.getFullName();
            case UNION -> type.getTypes().stream().map(CopiedDocRule::shortName).collect(Collectors.joining(" or "));
            case ARRAY -> "array of " + shortName(type.getElementType());
            case MAP -> "map of " + shortName(type.getValueType());
            default -> type.getLogicalType() == null ? type.getName() : type.getLogicalType().getName();
        };
    }

    private static void collect(Schema schema, boolean topLevel, Set<String> seen, Map<String, List<Use>> byDoc) {
        switch (schema.getType()) {
            case RECORD -> {
                if (!seen.add(schema.getFullName())) {
                    return;
                }
                for (Schema.Field field : schema.getFields()) {
                    if (field.doc() != null) {
                        byDoc.computeIfAbsent(field.doc(), d -> new ArrayList<>())
                                .add(new Use(schema.getName(), schema.getNamespace(), topLevel, field.name(), field.schema()));
                    }
                    collect(field.schema(), false, seen, byDoc);
                }
            }
            case UNION -> schema.getTypes().forEach(branch -> collect(branch, false, seen, byDoc));
            case ARRAY -> collect(schema.getElementType(), false, seen, byDoc);
            case MAP -> collect(schema.getValueType(), false, seen, byDoc);
            default -> {
            }
        }
    }
}
