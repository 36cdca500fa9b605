package io.fugou.serde.avro;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

/** Which writer union branches the reader lacks, decided as Avro's own resolution would read them. */
class UnknownBranchesTest {

    private static final String PAID = "{\"type\":\"record\",\"name\":\"OrderPaid\",\"fields\":[{\"name\":\"orderId\",\"type\":\"string\"},"
            + "{\"name\":\"total\",\"type\":\"long\"}]}";
    private static final String CANCELLED = "{\"type\":\"record\",\"name\":\"OrderCancelled\",\"fields\":[{\"name\":\"orderId\",\"type\":\"string\"}]}";
    /** Shaped like OrderCancelled: Avro alone reads it as one. */
    private static final String COMPLETED = "{\"type\":\"record\",\"name\":\"OrderCompleted\",\"fields\":[{\"name\":\"orderId\",\"type\":\"string\"}]}";

    private static final Schema READER = envelope("shop", PAID + "," + CANCELLED);
    private static final Schema NEWER_WRITER = envelope("shop", PAID + "," + CANCELLED + "," + COMPLETED);

    private static Schema envelope(String namespace, String branches) {
        return new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"OrderEvent\",\"namespace\":\"" + namespace + "\",\"fields\":["
                + "{\"name\":\"payload\",\"type\":[" + branches + "]}]}");
    }

    private static GenericRecord event(Schema envelope, String branch, String orderId) {
        Schema type = envelope.getField("payload").schema().getTypes().stream().filter(t -> t.getName().equals(branch)).findFirst().orElseThrow();
        GenericRecord payload = new GenericData.Record(type);
        payload.put("orderId", orderId);
        if (type.getField("total") != null) {
            payload.put("total", 100L);
        }
        GenericRecord event = new GenericData.Record(envelope);
        event.put("payload", payload);
        return event;
    }

    @Test
    void shouldFindTheEventTypeTheReaderLacksAndNothingWhenItLacksNone() {
        assertThat(UnknownBranches.of(NEWER_WRITER, READER).names()).containsExactly("shop.OrderCompleted");
        assertThat(UnknownBranches.of(READER, READER)).isNull();
        assertThat(UnknownBranches.of(READER, NEWER_WRITER)).as("an older writer").isNull();
    }

    @Test
    void shouldTellWhetherARecordUsesAnUnknownType() {
        UnknownBranches unknown = UnknownBranches.of(NEWER_WRITER, READER);

        assertThat(unknown.usedBy(event(NEWER_WRITER, "OrderCompleted", "o-1"))).containsExactly("shop.OrderCompleted");
        assertThat(unknown.usedBy(event(NEWER_WRITER, "OrderCancelled", "o-2"))).isEmpty();
    }

    @Test
    void shouldCountAnEventTypeThatFitsNoReaderBranchAsUnknownToo() {
        Schema writer = envelope("shop", PAID + "," + CANCELLED
                + ",{\"type\":\"record\",\"name\":\"OrderSplit\",\"fields\":[{\"name\":\"parentOrderId\",\"type\":\"string\"}]}");

        assertThat(UnknownBranches.of(writer, READER).names()).containsExactly("shop.OrderSplit");
    }

    /** A shop writing our structure under its own namespace: same simple names, same event types. */
    @Test
    void shouldCountTheSameEventTypesUnderAnotherNamespaceAsKnown() {
        Schema shops = envelope("com.shop", PAID + "," + CANCELLED);
        Schema shopsNewer = envelope("com.shop", PAID + "," + CANCELLED + "," + COMPLETED);

        assertThat(UnknownBranches.of(shops, READER)).isNull();
        assertThat(UnknownBranches.of(shopsNewer, READER).names()).containsExactly("com.shop.OrderCompleted");
    }

    @Test
    void shouldNotTakeAnotherTypeOfTheSameSimpleNameForTheReadersOwn() {
        Schema writer = envelope("shop", PAID + "," + CANCELLED
                + ",{\"type\":\"record\",\"name\":\"OrderCancelled\",\"namespace\":\"legacy\",\"fields\":[{\"name\":\"orderId\",\"type\":\"string\"}]}");

        assertThat(UnknownBranches.of(writer, READER).names()).containsExactly("legacy.OrderCancelled");
    }

    @Test
    void shouldHonourTheReadersAliases() {
        Schema reader = envelope("shop", PAID + ",{\"type\":\"record\",\"name\":\"OrderCancelled\",\"aliases\":[\"OrderVoided\"],"
                + "\"fields\":[{\"name\":\"orderId\",\"type\":\"string\"}]}");
        Schema writer = envelope("shop", PAID + ",{\"type\":\"record\",\"name\":\"OrderVoided\",\"fields\":[{\"name\":\"orderId\",\"type\":\"string\"}]}");

        assertThat(UnknownBranches.of(writer, reader)).isNull();
    }

    @Test
    void shouldFindUnknownTypesInArraysMapsAndOptionalFieldsOfRecursiveTypes() {
        String reader = "{\"type\":\"record\",\"name\":\"Node\",\"namespace\":\"tree\",\"fields\":["
                + "{\"name\":\"children\",\"type\":{\"type\":\"array\",\"items\":\"Node\"}},"
                + "{\"name\":\"tags\",\"type\":{\"type\":\"map\",\"values\":[\"null\",{\"type\":\"record\",\"name\":\"Leaf\",\"fields\":[{\"name\":\"v\",\"type\":\"int\"}]}]}}]}";
        String writer = reader.replace("\"fields\":[{\"name\":\"v\",\"type\":\"int\"}]}]", "\"fields\":[{\"name\":\"v\",\"type\":\"int\"}]},"
                + "{\"type\":\"record\",\"name\":\"Bud\",\"fields\":[{\"name\":\"v\",\"type\":\"int\"}]}]");
        Schema writerSchema = new Schema.Parser().parse(writer);
        UnknownBranches unknown = UnknownBranches.of(writerSchema, new Schema.Parser().parse(reader));
        Schema tagUnion = writerSchema.getField("tags").schema().getValueType();
        GenericRecord bud = new GenericData.Record(tagUnion.getTypes().get(2));
        bud.put("v", 1);
        GenericRecord leaf = new GenericData.Record(tagUnion.getTypes().get(1));
        leaf.put("v", 2);
        GenericRecord deep = node(writerSchema, List.of(), Map.of("new", bud));
        GenericRecord root = node(writerSchema, List.of(node(writerSchema, List.of(deep), Map.of("old", leaf))), Map.of());

        assertThat(unknown.names()).containsExactly("tree.Bud");
        assertThat(unknown.usedBy(root)).containsExactly("tree.Bud");
        assertThat(unknown.usedBy(node(writerSchema, List.of(), Map.of("old", leaf)))).isEmpty();
    }

    private static GenericRecord node(Schema schema, List<GenericRecord> children, Map<String, GenericRecord> tags) {
        GenericRecord node = new GenericData.Record(schema);
        node.put("children", children);
        node.put("tags", tags);
        return node;
    }
}
