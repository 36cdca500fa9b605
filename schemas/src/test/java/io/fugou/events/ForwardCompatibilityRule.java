package io.fugou.events;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaIncompatibilityType;

/**
 * The forward direction of the gate: a consumer still on a released schema must read what a
 * producer on the current schema writes, without failing and without misreading it.
 *
 * <p>Avro's own check decides, with the released schema as reader and the current one as writer,
 * with one exception: a branch of an envelope's {@code payload} union whose full name the released
 * union lacks is a new event type. The deserializer hands such a record to listeners as an unknown
 * event, which they skip with a metric and a log line (the tolerant reader). It matches branches by
 * full name because Avro alone would resolve an unknown branch to the first released branch of the
 * same structure (a new {@code OrderCompleted{orderId}} read as {@code OrderCancelled}). This rule
 * makes the same match, so within the payload:
 * <ul>
 *   <li>a current branch with the full name of a released branch must be readable as that branch;</li>
 *   <li>a current branch with a new full name is allowed;</li>
 *   <li>every released branch must still be there (a removed or renamed event type would silently
 *       stop reaching consumers that handle it).</li>
 * </ul>
 * Everywhere else only what Avro finds compatible passes: fields may be added, a field may be
 * removed only where the released reader has a default for it, no type changes, an enum gains
 * symbols only if the released enum has a default, and no other union gains a branch (nothing
 * would skip it).
 */
final class ForwardCompatibilityRule {

    static final String PAYLOAD = "payload";

    private ForwardCompatibilityRule() {
    }

    /** What a reader on {@code released} would fail on or misread in data written with {@code current}. */
    static List<String> misreadByReleasedReader(Schema released, Schema current) {
        List<String> problems = new ArrayList<>();
        Schema releasedEvents = payloadUnion(released);
        Schema currentEvents = payloadUnion(current);
        boolean envelope = releasedEvents != null && currentEvents != null;
        String payloadBranch = envelope ? "/fields/" + released.getField(PAYLOAD).pos() + "/type/" : null;

        for (Incompatibility incompatibility : SchemaCompatibility.checkReaderWriterCompatibility(released, current)
                .getResult().getIncompatibilities()) {
            if (envelope && incompatibility.getType() == SchemaIncompatibilityType.MISSING_UNION_BRANCH
                    && incompatibility.getLocation().startsWith(payloadBranch)
                    && incompatibility.getLocation().substring(payloadBranch.length()).matches("\\d+")) {
                continue; // a payload branch: judged by full name below, as the tolerant reader matches it
            }
            problems.add(describe(incompatibility));
        }
        if (envelope) {
            Map<String, Schema> before = byFullName(releasedEvents);
            Map<String, Schema> now = byFullName(currentEvents);
            before.keySet().stream().filter(name -> !now.containsKey(name)).forEach(name -> problems.add(
                    "event type " + name + " was removed or renamed: consumers on the released schema would no longer receive it"));
            for (Map.Entry<String, Schema> event : now.entrySet()) {
                Schema releasedEvent = before.get(event.getKey());
                if (releasedEvent == null) {
                    if (event.getValue().getType() != Schema.Type.RECORD) {
                        problems.add("payload branch " + event.getKey() + " is not a record: an event type is a named record");
                    }
                    continue; // a new event type: released readers skip it as an unknown event
                }
                SchemaCompatibility.checkReaderWriterCompatibility(releasedEvent, event.getValue()).getResult()
                        .getIncompatibilities().forEach(i -> problems.add("event type " + event.getKey() + ": " + describe(i)));
            }
        }
        return problems;
    }

    private static Schema payloadUnion(Schema schema) {
        if (schema.getType() != Schema.Type.RECORD) {
            return null;
        }
        Schema.Field payload = schema.getField(PAYLOAD);
        return payload != null && payload.schema().getType() == Schema.Type.UNION ? payload.schema() : null;
    }

    private static Map<String, Schema> byFullName(Schema union) {
        Map<String, Schema> branches = new LinkedHashMap<>();
        union.getTypes().forEach(branch -> branches.put(branch.getFullName(), branch));
        return branches;
    }

    private static String describe(Incompatibility incompatibility) {
        return incompatibility.getType() + " at " + incompatibility.getLocation() + ": " + incompatibility.getMessage();
    }
}
