package io.fugou.serde.avro;

import java.util.Set;
import org.apache.avro.generic.GenericRecord;

/**
 * What a specific reader gets instead of a misread value when the record's writer used an event
 * type (a named union branch) the reader's generated classes do not have: Avro alone would resolve
 * it to the first branch that fits by structure. Consumers skip it (the tolerant reader; the
 * platform's record interceptor counts and logs it) until they are upgraded to know the type.
 *
 * @param topic            where the record was read
 * @param schemaId         the writer's schema id in the registry
 * @param writerSchemaName the full name of the writer's top-level record (the envelope)
 * @param unknownTypes     full names of the branches this record used that the reader lacks
 * @param value            the record decoded with the writer's own schema, so its envelope fields can be logged
 */
public record UnknownEvent(String topic, int schemaId, String writerSchemaName, Set<String> unknownTypes, GenericRecord value) {
}
