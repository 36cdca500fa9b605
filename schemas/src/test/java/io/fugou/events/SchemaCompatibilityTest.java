package io.fugou.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.AvroTypeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The build's gate on schema changes, held against every released version in {@code schemas/released}:
 * <ol>
 *   <li><b>Backward</b> (BACKWARD_TRANSITIVE): the current schema reads data written with every
 *       released version, so a consumer can upgrade before its producers.</li>
 *   <li><b>Forward</b>: a consumer on any released version reads data written with the current schema
 *       without failing or misreading it, so a producer can upgrade before its consumers. A new
 *       version may add fields (with defaults, for rule 1) and event types (payload branches, which
 *       released readers skip as unknown events), nothing else ({@link ForwardCompatibilityRule});
 *       in particular no field without a default is removed or renamed ({@link FieldRemovalRule}).</li>
 *   <li><b>Enum defaults</b>: every enum has a default symbol, so that a later version can add
 *       symbols ({@link EnumDefaultRule}).</li>
 * </ol>
 * Each rule runs against the real schemas and, below them, refuses a deliberately bad schema.
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
    Stream<DynamicTest> everyReleasedVersionReadsWhatTheCurrentSchemaWrites() {
        return Topics.ALL.stream().flatMap(topic -> released.versions(topic.valueSubject()).stream()
                .map(version -> DynamicTest.dynamicTest(
                        "a consumer on " + topic.valueSubject() + " v" + version.number() + " reads what the current schema writes",
                        () -> assertThat(ForwardCompatibilityRule.misreadByReleasedReader(version.schema(), topic.valueSchema()))
                                .as("what a consumer on %s v%d would fail on or misread", topic.valueSubject(), version.number())
                                .isEmpty())));
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
    void everyEnumOfEveryTopicHasADefaultSymbol() {
        assertThat(Topics.ALL.stream().flatMap(topic -> EnumDefaultRule.enumsWithoutDefault(topic.valueSchema()).stream()).toList())
                .as("enums without a default symbol: a reader would fail on a symbol added later")
                .isEmpty();
    }

    // Rule 1, backward.

    @Test
    void aNewFieldWithoutADefaultIsRefused() {
        Schema released = record("{\"name\":\"orderId\",\"type\":\"string\"}");
        Schema withRequiredField = record("{\"name\":\"orderId\",\"type\":\"string\"}",
                "{\"name\":\"shopNote\",\"type\":\"string\"}");

        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(withRequiredField, released).getType())
                .isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
    }

    // Rule 2, forward.

    @Test
    void removingOrRenamingAFieldWithoutADefaultIsRefusedButRemovingOneWithADefaultIsAllowed() throws IOException {
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
        assertThat(ForwardCompatibilityRule.misreadByReleasedReader(released, withoutStoreId)).isEmpty();
        assertThat(FieldRemovalRule.removedFieldsWithoutDefault(released, withoutRefundId))
                .containsExactly("test.Refund.refundId was removed or renamed but has no default,"
                        + " so consumers on the released schema cannot read new data");
        assertThat(ForwardCompatibilityRule.misreadByReleasedReader(released, withoutRefundId))
                .containsExactly("READER_FIELD_MISSING_DEFAULT_VALUE at /fields/1: refundId");
        // The alias helps the new reader with old data, not the released reader with new data:
        assertThat(FieldRemovalRule.removedFieldsWithoutDefault(released, withRenamedRefundId)).hasSize(1);
        assertThat(ForwardCompatibilityRule.misreadByReleasedReader(released, withRenamedRefundId)).hasSize(1);
        GenericRecord renamed = new GenericRecordBuilder(withRenamedRefundId).set("orderId", "o-1").set("refundRef", "r-1").build();
        assertThatThrownBy(() -> read(write(renamed), withRenamedRefundId, released))
                .isInstanceOf(AvroTypeException.class)
                .hasMessageContaining("refundId");
    }

    @Test
    void aFieldWithADefaultMayBeAddedButNoTypeMayChange() {
        Schema released = record("{\"name\":\"orderId\",\"type\":\"string\"}", "{\"name\":\"quantity\",\"type\":\"int\"}");
        Schema withNote = record("{\"name\":\"orderId\",\"type\":\"string\"}", "{\"name\":\"quantity\",\"type\":\"int\"}",
                "{\"name\":\"note\",\"type\":[\"null\",\"string\"],\"default\":null}");
        Schema withLongQuantity = record("{\"name\":\"orderId\",\"type\":\"string\"}", "{\"name\":\"quantity\",\"type\":\"long\"}");

        assertThat(ForwardCompatibilityRule.misreadByReleasedReader(released, withNote)).isEmpty();
        assertThat(ForwardCompatibilityRule.misreadByReleasedReader(released, withLongQuantity))
                .singleElement().asString().startsWith("TYPE_MISMATCH at /fields/1/type");
    }

    @Test
    void aNewEventTypeIsAllowedBecauseReleasedReadersSkipItByName() throws IOException {
        Schema released = envelope(PAID, CANCELLED);
        Schema withCompleted = envelope(PAID, CANCELLED, COMPLETED);

        assertThat(ForwardCompatibilityRule.misreadByReleasedReader(released, withCompleted)).isEmpty();
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(released, withCompleted).getType())
                .as("Avro alone calls it incompatible")
                .isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
        // Why the deserializer matches branches by full name: Avro alone resolves the unknown branch
        // to the first released branch of the same structure, and the record would be misread.
        Schema completedSchema = withCompleted.getField("payload").schema().getTypes().get(2);
        GenericRecord completed = new GenericRecordBuilder(withCompleted).set("eventId", "e-1")
                .set("payload", new GenericRecordBuilder(completedSchema).set("orderId", "o-1").build()).build();
        GenericRecord asReleasedReaderSeesIt = read(write(completed), withCompleted, released);
        assertThat(((GenericRecord) asReleasedReaderSeesIt.get("payload")).getSchema().getFullName()).isEqualTo("test.OrderCancelled");
    }

    @Test
    void anEventTypeThatKeepsItsNameMustStayReadableAsTheReleasedOne() {
        Schema released = envelope(PAID, CANCELLED);
        Schema withNumericOrderId = envelope(PAID, """
                {"type":"record","name":"OrderCancelled","fields":[{"name":"orderId","type":"long"},
                 {"name":"reason","type":["null","string"],"default":null}]}""");
        Schema withoutOrderId = envelope(PAID, """
                {"type":"record","name":"OrderCancelled","fields":[{"name":"reason","type":["null","string"],"default":null}]}""");

        assertThat(ForwardCompatibilityRule.misreadByReleasedReader(released, withNumericOrderId))
                .singleElement().asString().startsWith("event type test.OrderCancelled: TYPE_MISMATCH at /fields/0/type");
        assertThat(ForwardCompatibilityRule.misreadByReleasedReader(released, withoutOrderId))
                .containsExactly("event type test.OrderCancelled: READER_FIELD_MISSING_DEFAULT_VALUE at /fields/0: orderId");
    }

    @Test
    void anEventTypeMayNeitherBeRemovedNorRenamed() {
        Schema released = envelope(PAID, CANCELLED);
        Schema renamed = envelope(PAID, """
                {"type":"record","name":"OrderVoided","aliases":["OrderCancelled"],"fields":[{"name":"orderId","type":"string"},
                 {"name":"reason","type":["null","string"],"default":null}]}""");

        assertThat(ForwardCompatibilityRule.misreadByReleasedReader(released, envelope(PAID)))
                .containsExactly("event type test.OrderCancelled was removed or renamed: consumers on the released schema would no longer receive it");
        assertThat(ForwardCompatibilityRule.misreadByReleasedReader(released, renamed))
                .containsExactly("event type test.OrderCancelled was removed or renamed: consumers on the released schema would no longer receive it");
    }

    @Test
    void noUnionButThePayloadMayGainABranch() {
        Schema released = envelope(PAID, CANCELLED);
        Schema withNumericReason = envelope(PAID, """
                {"type":"record","name":"OrderCancelled","fields":[{"name":"orderId","type":"string"},
                 {"name":"reason","type":["null","string","int"],"default":null}]}""");
        Schema moneyReleased = record("""
                {"name":"discount","type":["null",{"type":"record","name":"Money","fields":[
                 {"name":"amountMinor","type":"long"},{"name":"currency","type":"string"}]}],"default":null}""");
        Schema withLookalike = record("""
                {"name":"discount","type":["null",{"type":"record","name":"Money","fields":[
                 {"name":"amountMinor","type":"long"},{"name":"currency","type":"string"}]},
                 {"type":"record","name":"Points","fields":[{"name":"amountMinor","type":"long"},{"name":"currency","type":"string"}]}],
                 "default":null}""");

        assertThat(ForwardCompatibilityRule.misreadByReleasedReader(released, withNumericReason))
                .singleElement().asString().startsWith("event type test.OrderCancelled: MISSING_UNION_BRANCH at /fields/1/type/2");
        assertThat(ForwardCompatibilityRule.misreadByReleasedReader(moneyReleased, withLookalike))
                .singleElement().asString().startsWith("MISSING_UNION_BRANCH at /fields/0/type/2");
    }

    @Test
    void aNewEnumSymbolIsAllowedOnlyWhereTheReleasedEnumHasADefault() {
        Schema withDefault = record(enumField("\"ORDER\",\"OTHER\"", "OTHER"));
        Schema withoutDefault = record(enumField("\"ORDER\",\"OTHER\"", null));
        Schema withReview = record(enumField("\"ORDER\",\"OTHER\",\"REVIEW\"", "OTHER"));

        assertThat(ForwardCompatibilityRule.misreadByReleasedReader(withDefault, withReview)).isEmpty();
        assertThat(ForwardCompatibilityRule.misreadByReleasedReader(withoutDefault, withReview))
                .containsExactly("MISSING_ENUM_SYMBOLS at /fields/0/type/symbols: [REVIEW]");
    }

    // Rule 3, enum defaults.

    @Test
    void anEnumWithoutADefaultIsRefusedWhereverItIs() {
        Schema nested = envelope(PAID, """
                {"type":"record","name":"PointsEarned","fields":[%s]}""".formatted(enumField("\"ORDER\",\"OTHER\"", null)));

        assertThat(EnumDefaultRule.enumsWithoutDefault(nested)).containsExactly("test.Source");
        assertThat(EnumDefaultRule.enumsWithoutDefault(record(enumField("\"ORDER\",\"OTHER\"", "OTHER")))).isEmpty();
    }

    private static final String PAID = """
            {"type":"record","name":"OrderPaid","fields":[{"name":"orderId","type":"string"},{"name":"total","type":"long"}]}""";
    private static final String CANCELLED = """
            {"type":"record","name":"OrderCancelled","fields":[{"name":"orderId","type":"string"},
             {"name":"reason","type":["null","string"],"default":null}]}""";
    private static final String COMPLETED = """
            {"type":"record","name":"OrderCompleted","fields":[{"name":"orderId","type":"string"}]}""";

    private static Schema record(String... fields) {
        return new Schema.Parser().parse(
                "{\"type\":\"record\",\"name\":\"Refund\",\"namespace\":\"test\",\"fields\":[" + String.join(",", fields) + "]}");
    }

    private static Schema envelope(String... events) {
        return new Schema.Parser().parse("""
                {"type":"record","name":"Event","namespace":"test","fields":[{"name":"eventId","type":"string"},
                 {"name":"payload","type":[%s]}]}""".formatted(String.join(",", events)));
    }

    private static String enumField(String symbols, String defaultSymbol) {
        return "{\"name\":\"source\",\"type\":{\"type\":\"enum\",\"name\":\"Source\",\"symbols\":[" + symbols + "]"
                + (defaultSymbol == null ? "" : ",\"default\":\"" + defaultSymbol + "\"") + "}}";
    }

    private static byte[] write(GenericRecord record) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(record.getSchema()).write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    private static GenericRecord read(byte[] bytes, Schema writer, Schema reader) throws IOException {
        return new GenericDatumReader<GenericRecord>(writer, reader).read(null, DecoderFactory.get().binaryDecoder(bytes, null));
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
