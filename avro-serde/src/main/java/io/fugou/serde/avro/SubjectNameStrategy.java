package io.fugou.serde.avro;

import org.apache.avro.Schema;
import org.apache.kafka.common.config.ConfigException;

/**
 * How a registry subject is named for a record. The names match Confluent's strategies, and
 * Confluent's class names are accepted in the configuration, so its settings carry over.
 */
public enum SubjectNameStrategy {
    /** {@code <topic>-key} / {@code <topic>-value}: one schema (or envelope) per topic. The default. */
    TOPIC_NAME {
        @Override
        public String subjectName(String topic, boolean isKey, Schema schema) {
            return topic + (isKey ? "-key" : "-value");
        }
    },
    /** The record's full name: one record type shared by many topics. */
    RECORD_NAME {
        @Override
        public String subjectName(String topic, boolean isKey, Schema schema) {
            return schema.getFullName();
        }
    },
    /** {@code <topic>-<record full name>}: several record types in one topic. */
    TOPIC_RECORD_NAME {
        @Override
        public String subjectName(String topic, boolean isKey, Schema schema) {
            return topic + "-" + schema.getFullName();
        }
    };

    public abstract String subjectName(String topic, boolean isKey, Schema schema);

    /** Accepts an enum name, our class-like names, or Confluent's class names (by simple name). */
    static SubjectNameStrategy from(Object configured) {
        if (configured == null) {
            return TOPIC_NAME;
        }
        String name = configured instanceof Class<?> c ? c.getName() : configured.toString().trim();
        String simple = name.substring(name.lastIndexOf('.') + 1);
        return switch (simple) {
            case "TopicNameStrategy", "TOPIC_NAME" -> TOPIC_NAME;
            case "RecordNameStrategy", "RECORD_NAME" -> RECORD_NAME;
            case "TopicRecordNameStrategy", "TOPIC_RECORD_NAME" -> TOPIC_RECORD_NAME;
            default -> throw new ConfigException("subject.name.strategy", configured,
                    "supported: TopicNameStrategy, RecordNameStrategy, TopicRecordNameStrategy");
        };
    }
}
