package io.fugou.serde.avro;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

class UnionBranchesTest {

    private static final Schema READER = new Schema.Parser().parse("""
            {"type":"record","name":"OrderEvent","namespace":"shop","fields":[
              {"name":"payload","type":[
                {"type":"record","name":"OrderPaid","fields":[{"name":"orderId","type":"string"},{"name":"total","type":"long"}]},
                {"type":"record","name":"OrderCancelled","fields":[{"name":"orderId","type":"string"}]}]}]}""");

    /** The same envelope from a newer contract: one more event type, shaped like OrderCancelled. */
    private static Schema newerWriter() {
        List<Schema> branches = new ArrayList<>(READER.getField("payload").schema().getTypes());
        branches.add(Schema.createRecord("OrderCompleted", null, "shop", false,
                List.of(new Schema.Field("orderId", Schema.create(Schema.Type.STRING)))));
        return Schema.createRecord("OrderEvent", null, "shop", false,
                List.of(new Schema.Field("payload", Schema.createUnion(branches))));
    }

    @Test
    void shouldFindTheEventTypeTheReaderLacksByItsFullName() {
        assertThat(UnionBranches.missingFromReader(newerWriter(), READER)).containsExactly("shop.OrderCompleted");
        assertThat(UnionBranches.missingFromReader(READER, READER)).isEmpty();
    }

    @Test
    void shouldTellWhetherARecordUsesAnUnknownType() {
        Schema writer = newerWriter();
        Schema completedSchema = writer.getField("payload").schema().getTypes().get(2);
        GenericRecord completed = new GenericData.Record(completedSchema);
        completed.put("orderId", "o-1");
        GenericRecord envelope = new GenericData.Record(writer);
        envelope.put("payload", completed);

        assertThat(UnionBranches.used(envelope, Set.of("shop.OrderCompleted"))).containsExactly("shop.OrderCompleted");

        GenericRecord cancelled = new GenericData.Record(writer.getField("payload").schema().getTypes().get(1));
        cancelled.put("orderId", "o-2");
        envelope.put("payload", cancelled);
        assertThat(UnionBranches.used(envelope, Set.of("shop.OrderCompleted"))).isEmpty();
    }
}
