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
                - **Key**: every member-scoped record is keyed `merchantId:customerId` (`io.fugou.events.MemberKey`).
                  All member-scoped topics have the same partition count, so one member's events stay in order
                  across topics and Kafka Streams joins need no repartition.
                - **Envelope**: a topic that carries several event types has one envelope record whose
                  `payload` is a union of the event records; the envelope carries what every event has:
                  `eventId` (UUID, consumers de-duplicate on it), `occurredAt` (event time, UTC millis),
                  `merchantId`, `customerId`.
                - **Money** is `{amountMinor: long, currency: ISO-4217}`, never a floating point number.
                - **Dead letters**: a record a consumer cannot read or process goes to `<topic>.DLT` with its
                  original bytes and the reason in headers (`fugou_dlt-reason`, `kafka_dlt-exception-message`,
                  `kafka_dlt-original-topic`, `-partition`, `-offset`).
                - **Personal data** (birthday, gender, region) travels only in `commerce.customers.v1` (the
                  shop's, kept short) and the compacted `fugou.member-profiles.v1`, which a tombstone erases.
                  `fugou.members.v1` says which fields changed, never their values.

                ## Evolving a schema
                - Add fields with defaults; never remove a field that has no default; never change a type.
                - A new event type is a new branch of the payload union: upgrade every consumer of the
                  topic before a producer writes it (an older reader cannot resolve an unknown branch).
                - A breaking change is a new topic (`.v2`), never a broken schema.
                - Once a change has shipped, record it as released:
                  `mvn -pl schemas test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=io.fugou.events.ReleaseSchemas`.

                ## Topics
                | topic | value | key | kept |
                |---|---|---|---|
                """);
        for (Topic<?> topic : Topics.ALL) {
            md.append("| `").append(topic.name()).append("` | `").append(topic.valueSchema().getName()).append("` | `merchantId:customerId` | ")
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
