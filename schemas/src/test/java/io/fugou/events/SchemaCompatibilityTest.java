package io.fugou.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The build's gate on schema changes. Every current value schema must read data written with
 * every released version of it (BACKWARD_TRANSITIVE: a consumer can upgrade before its producers),
 * and must not drop a field that has no default (a consumer still on a released version must
 * read what an upgraded producer writes).
 */
class SchemaCompatibilityTest {

    private final ReleasedSchemas released = ReleasedSchemas.fromSystemProperty();

    @Test
    void everyTopicHasAReleasedSchema() {
        assertThat(Topics.ALL)
                .allSatisfy(topic -> assertThat(released.versions(topic.valueSubject()))
                        .as("released versions of %s (run ReleaseSchemas once the topic ships)", topic.valueSubject())
                        .isNotEmpty());
    }

    @TestFactory
    Stream<DynamicTest> currentSchemaReadsEveryReleasedVersion() {
        return Topics.ALL.stream().flatMap(topic -> released.versions(topic.valueSubject()).stream()
                .map(version -> DynamicTest.dynamicTest(
                        topic.valueSubject() + " reads data written with v" + version.number(),
                        () -> assertReadable(topic.valueSchema(), version.schema(), topic.valueSubject() + " v" + version.number()))));
    }

    @TestFactory
    Stream<DynamicTest> noReleasedFieldWithoutDefaultIsRemoved() {
        return Topics.ALL.stream().flatMap(topic -> released.versions(topic.valueSubject()).stream()
                .map(version -> DynamicTest.dynamicTest(
                        topic.valueSubject() + " keeps every field of v" + version.number() + " that has no default",
                        () -> assertThat(FieldRemovalRule.removedFieldsWithoutDefault(version.schema(), topic.valueSchema()))
                                .as("fields removed from %s since v%d", topic.valueSubject(), version.number())
                                .isEmpty())));
    }

    @Test
    void aNewFieldWithoutADefaultIsRefused() {
        Schema released = record("{\"name\":\"orderId\",\"type\":\"string\"}");
        Schema withRequiredField = record("{\"name\":\"orderId\",\"type\":\"string\"}",
                "{\"name\":\"shopNote\",\"type\":\"string\"}");

        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(withRequiredField, released).getType())
                .isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
    }

    @Test
    void removingAFieldWithoutADefaultIsRefusedButWithADefaultIsAllowed() {
        Schema released = record(
                "{\"name\":\"orderId\",\"type\":\"string\"}",
                "{\"name\":\"refundId\",\"type\":\"string\"}",
                "{\"name\":\"storeId\",\"type\":[\"null\",\"string\"],\"default\":null}");
        Schema withoutStoreId = record(
                "{\"name\":\"orderId\",\"type\":\"string\"}",
                "{\"name\":\"refundId\",\"type\":\"string\"}");
        Schema withRenamedRefundId = record(
                "{\"name\":\"orderId\",\"type\":\"string\"}",
                "{\"name\":\"refundRef\",\"type\":\"string\",\"aliases\":[\"refundId\"]}");
        Schema withoutRefundId = record(
                "{\"name\":\"orderId\",\"type\":\"string\"}",
                "{\"name\":\"storeId\",\"type\":[\"null\",\"string\"],\"default\":null}");

        assertThat(FieldRemovalRule.removedFieldsWithoutDefault(released, withoutStoreId)).isEmpty();
        assertThat(FieldRemovalRule.removedFieldsWithoutDefault(released, withRenamedRefundId)).isEmpty();
        assertThat(FieldRemovalRule.removedFieldsWithoutDefault(released, withoutRefundId))
                .containsExactly("test.Refund.refundId was removed but has no default,"
                        + " so consumers on the released schema cannot read new data");
    }

    private static Schema record(String... fields) {
        return new Schema.Parser().parse(
                "{\"type\":\"record\",\"name\":\"Refund\",\"namespace\":\"test\",\"fields\":[" + String.join(",", fields) + "]}");
    }

    private static void assertReadable(Schema reader, Schema writer, String what) {
        SchemaPairCompatibility result = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
        List<String> problems = result.getResult().getIncompatibilities().stream()
                .map(i -> i.getType() + " at " + i.getLocation() + ": " + i.getMessage())
                .toList();
        assertThat(problems)
                .as("the current schema cannot read data written with released %s", what)
                .isEmpty();
    }
}
