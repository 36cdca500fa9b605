package io.fugou.events;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.avro.Schema;

/**
 * Renders docs/events.md from the schemas themselves, so the catalogue can never drift from the
 * contracts: {@link EventCatalogueTest} fails when the file is out of date.
 * Rewrite it with {@code mvn -pl schemas test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=io.fugou.events.WriteEventCatalogue}.
 */
final class EventCatalogue {

    private EventCatalogue() {
    }

    static String render() {
        StringBuilder md = new StringBuilder();
        md.append("""
                # Event catalogue

                <!-- Generated from schemas/src/main/avro by EventCatalogue; EventCatalogueTest fails when it is stale. -->

                Every topic's value is Avro in the Confluent wire format (byte 0, 4-byte schema id, Avro body),
                registered under `<topic>-value` (TopicNameStrategy). The schemas are in `schemas/src/main/avro`;
                released versions in `schemas/released`, and the build refuses a change that an existing
                consumer or producer could not live with (see "Evolving a schema" below).

                ## Conventions
                - **Key**: every member-scoped record is keyed `merchantId:customerId` (`io.fugou.events.MemberKey`);
                  a record whose key is not its envelope's `merchantId:customerId` is dead-lettered. The one
                  merchant-wide record, the membership programme's tiers, is keyed `merchantId`.
                - **Order**: Kafka keeps order within one partition of one topic, so one member's events on a
                  topic are read in the order they were written. There is no order across topics: an `OrderPaid`
                  may be read before the `MemberEnrolled` it caused (docs/architecture.md says how services cope).
                  Every topic has the same partition count only so that topics are co-partitioned: a member is on
                  the same partition number everywhere, and Kafka Streams joins need no repartition.
                - **Envelope**: a topic that carries several event types has one envelope record whose
                  `payload` is a union of the event records; the envelope carries what every event has:
                  `eventId` (UUID, consumers de-duplicate on it), `occurredAt` (event time, UTC millis),
                  `merchantId`, `customerId`.
                - **Money** is `{amountMinor: long, currency: ISO-4217}`, never a floating point number.
                - **Dead letters**: a record a consumer can never read or process goes to `<topic>.DLT` with its
                  original key and value bytes, on the partition of its key, and the reason in headers
                  (`fugou_dlt-reason`, `kafka_dlt-exception-message`, `kafka_dlt-original-topic`, `-partition`,
                  `-offset`); a registry or database outage makes consumers wait instead.
                  `deploy/replay-dead-letters <topic>` puts them back once the cause is fixed.
                - **Enums** all have a default symbol: a reader that meets a symbol added after it was built
                  reads the default instead of failing on the whole record.
                - **Personal data** (birthday, gender, region, consents) travels only in `commerce.customers.v1`
                  (the shop's, kept short) and the compacted `fugou.member-profiles.v1`, which a tombstone erases.
                  `fugou.members.v1` says which fields changed, never their values.

                ## Evolving a schema
                `SchemaCompatibilityTest` holds every change to these rules, against every released version
                in `schemas/released`:
                - **Consumers may upgrade first** (backward, transitive): the current schema reads data written
                  with every released version. So a new field has a default.
                - **Producers may upgrade first** (forward): a consumer on any released version reads what the
                  current schema writes without failing or misreading it. So a new version adds fields with
                  defaults and event types, nothing else: no field that lacks a default in a released version
                  is removed or renamed (a reader matches names with its own aliases, not the writer's), no type
                  changes, no event type is removed or renamed, no union other than the payload gains a branch,
                  and an enum gains symbols only if every released version of it has a default.
                - **A new event type** is a new record, with a new name, appended to the payload union. A consumer
                  built before it does not fail: its deserializer finds no payload branch of that full name and
                  hands the listener an unknown event, which the listener skips with a metric and a log line (the
                  tolerant reader). The match is by name (full name; the simple name when only the namespace
                  differs, so a shop may keep its own namespace) because Avro alone would resolve the unknown
                  branch to the first older branch of the same structure and misread the record. A consumer that
                  must act on the new event is upgraded before a producer writes it.
                - **Every enum has a default symbol**: `OTHER` where the enum has one; for the enums first released
                  without a default, an existing symbol that makes a reader do nothing it would regret (a new
                  `OTHER` could not be read by those first readers).
                - A breaking change is a new topic (`.v2`), never a broken schema.
                - Once a change has shipped, record it as released (the release adds `v<N+1>.avsc`; a released
                  file is never edited):
                  `mvn -pl schemas test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=io.fugou.events.ReleaseSchemas`.

                ## Topics
                | topic | value | key | kept |
                |---|---|---|---|
                """);
        for (Topic<?> topic : Topics.ALL) {
            md.append("| `").append(topic.name()).append("` | `").append(topic.valueSchema().getName()).append(Topics.KEYED_BY_MERCHANT.contains(topic) ? "` | `merchantId` | " : "` | `merchantId:customerId` | ")
                    .append(topic.compacted() ? "compacted (latest value per key; null value erases)" : "by retention").append(" |\n");
        }
        for (Topic<?> topic : Topics.ALL) {
            Schema value = topic.valueSchema();
            md.append("\n## ").append(topic.name()).append("\n\n").append(doc(value)).append("\n");
            Schema.Field payload = value.getField("payload");
            List<Schema> nested = new ArrayList<>();
            if (payload != null && payload.schema().getType() == Schema.Type.UNION) {
                md.append("\nEnvelope fields:\n\n");
                fields(md, value, nested);
                md.append("\nEvents (the `payload`): ")
                        .append(payload.schema().getTypes().stream().map(s -> "`" + s.getName() + "`").collect(Collectors.joining(", ")))
                        .append("\n");
                for (Schema event : payload.schema().getTypes()) {
                    md.append("\n### ").append(event.getName()).append("\n\n");
                    if (event.getDoc() != null) {
                        md.append(event.getDoc()).append("\n\n");
                    }
                    fields(md, event, nested);
                }
            } else {
                md.append("\n");
                fields(md, value, nested);
            }
            Set<String> described = new LinkedHashSet<>();
            for (int i = 0; i < nested.size(); i++) {
                Schema type = nested.get(i);
                if (!described.add(type.getFullName())) {
                    continue;
                }
                md.append("\n#### ").append(type.getName()).append("\n\n");
                if (type.getType() == Schema.Type.ENUM) {
                    if (type.getDoc() != null) {
                        md.append(type.getDoc()).append(" ");
                    }
                    md.append("Symbols: ").append(type.getEnumSymbols().stream().map(s -> "`" + s + "`").collect(Collectors.joining(", ")));
                    if (type.getEnumDefault() != null) {
                        md.append(" (readers that do not know a symbol see `").append(type.getEnumDefault()).append("`)");
                    }
                    md.append(".\n");
                } else {
                    if (type.getDoc() != null) {
                        md.append(type.getDoc()).append("\n\n");
                    }
                    fields(md, type, nested);
                }
            }
        }
        return md.toString();
    }

    private static void fields(StringBuilder md, Schema record, List<Schema> nested) {
        md.append("| field | type | default | meaning |\n|---|---|---|---|\n");
        for (Schema.Field field : record.getFields()) {
            if (field.name().equals("payload") && field.schema().getType() == Schema.Type.UNION) {
                md.append("| `payload` | one of the events below | | |\n");
                continue;
            }
            md.append("| `").append(field.name()).append("` | ").append(type(field.schema(), nested)).append(" | ")
                    .append(field.hasDefaultValue() ? "`" + (field.defaultVal() == org.apache.avro.JsonProperties.NULL_VALUE ? "null" : String.valueOf(field.defaultVal())) + "`" : "")
                    .append(" | ").append(field.doc() == null ? "" : field.doc().replace("|", "\\|")).append(" |\n");
        }
    }

    private static String type(Schema schema, List<Schema> nested) {
        return switch (schema.getType()) {
            case RECORD, ENUM, FIXED -> {
                nested.add(schema);
                yield schema.getName();
            }
            case ARRAY -> "array of " + type(schema.getElementType(), nested);
            case MAP -> "map of " + type(schema.getValueType(), nested);
            case UNION -> schema.getTypes().stream().map(s -> type(s, nested)).collect(Collectors.joining(" or "));
            case LONG -> "timestamp-millis".equals(logical(schema)) ? "timestamp (UTC millis)" : "long";
            case INT -> "date".equals(logical(schema)) ? "date" : "int";
            default -> schema.getType().getName();
        };
    }

    private static String logical(Schema schema) {
        return schema.getLogicalType() == null ? null : schema.getLogicalType().getName();
    }

    private static String doc(Schema schema) {
        return schema.getDoc() == null ? "" : schema.getDoc();
    }
}
