package io.fugou.serde.avro;

import java.util.Set;
import org.apache.avro.generic.GenericRecord;

/**
 * A record whose writer used an event type (union branch) the reader's classes do not know: handed
 * over instead of a value Avro would have misread as another type. (Placeholder API; the serde owner refines it.)
 */
public record UnknownEvent(String topic, int schemaId, String writerSchemaName, Set<String> unknownTypes, GenericRecord value) {
}
