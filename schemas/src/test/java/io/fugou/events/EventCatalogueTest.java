package io.fugou.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.fugou.events.common.ConsentChannel;
import io.fugou.events.notifications.NotificationChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

class EventCatalogueTest {

    private static final Path CATALOGUE = Path.of(System.getProperty("fugou.docs.dir", "../docs"), "events.md");

    @Test
    void docsEventsMdMatchesTheSchemas() throws Exception {
        assertThat(Files.readString(CATALOGUE))
                .as("docs/events.md is stale; regenerate it with WriteEventCatalogue (see its javadoc)")
                .isEqualTo(EventCatalogue.render());
    }

    @Test
    void everyFieldOfEveryTopicSaysWhatItMeans() {
        java.util.List<String> undocumented = new java.util.ArrayList<>();
        for (Topic<?> topic : Topics.ALL) {
            collectUndocumented(topic.valueSchema(), new java.util.HashSet<>(), undocumented);
        }
        assertThat(undocumented).as("fields without a doc in the .avsc files").isEmpty();
    }

    private static void collectUndocumented(Schema schema, java.util.Set<String> seen, java.util.List<String> undocumented) {
        switch (schema.getType()) {
            case RECORD -> {
                if (!seen.add(schema.getFullName())) {
                    return;
                }
                for (Schema.Field field : schema.getFields()) {
                    if (field.doc() == null) {
                        undocumented.add(schema.getName() + "." + field.name());
                    }
                    collectUndocumented(field.schema(), seen, undocumented);
                }
            }
            case UNION -> schema.getTypes().forEach(s -> collectUndocumented(s, seen, undocumented));
            case ARRAY -> collectUndocumented(schema.getElementType(), seen, undocumented);
            case MAP -> collectUndocumented(schema.getValueType(), seen, undocumented);
            default -> {
            }
        }
    }

    @Test
    void noFieldDocIsCopiedFromAFieldThatMeansSomethingElse() {
        assertThat(CopiedDocRule.copiedDocs(Topics.ALL.stream().map(Topic::valueSchema).toList()))
                .as("field docs copied from another field (see CopiedDocRule for what counts as a copy)")
                .isEmpty();
    }

    @Test
    void aDocCopiedToAFieldOfAnotherNameIsCaught() {
        Schema campaigns = schema("test.campaigns", "CouponIssued", """
                {"name":"couponId","type":"string","doc":"Id of the issued coupon."},
                {"name":"templateId","type":"string","doc":"Id of the issued coupon."}""");

        assertThat(CopiedDocRule.copiedDocs(List.of(campaigns)))
                .containsExactly("\"Id of the issued coupon.\" is on fields of different names: CouponIssued.couponId, CouponIssued.templateId");
    }

    @Test
    void aDocCopiedToAFieldOfTheSameNameButAnotherTypeIsCaught() {
        Schema campaigns = schema("test.campaigns", "CampaignAssigned", """
                {"name":"campaignId","type":"string","doc":"The campaign behind it, if any."},
                {"name":"coupon","type":{"type":"record","name":"CouponIssued","fields":[
                 {"name":"campaignId","type":["null","string"],"default":null,"doc":"The campaign behind it, if any."}]},
                 "doc":"The coupon given."}""");

        assertThat(CopiedDocRule.copiedDocs(List.of(campaigns)))
                .containsExactly("\"The campaign behind it, if any.\" is on fields of different types:"
                        + " CampaignAssigned.campaignId (string), CouponIssued.campaignId (null or string)");
    }

    @Test
    void aDocCopiedToAnotherTopicIsCaughtButTheEnvelopeAndSharedNamesAreNot() {
        String envelope = """
                {"name":"eventId","type":"string","doc":"UUID chosen by the producer; consumers de-duplicate on it."},
                {"name":"payload","type":{"type":"record","name":"%s","fields":[
                 {"name":"templateId","type":"string","doc":"The coupon template it was issued from."},
                 {"name":"campaignId","type":["null","string"],"default":null,"doc":"The campaign behind it, if any."}]},
                 "doc":"The event itself."}""";
        Schema campaigns = schema("test.campaigns", "CampaignEvent", envelope.formatted("CouponIssued"));
        Schema notifications = schema("test.notifications", "NotificationEvent", envelope.formatted("NotificationRequested"));

        assertThat(CopiedDocRule.copiedDocs(List.of(campaigns, notifications)))
                .containsExactly("\"The coupon template it was issued from.\" is on fields of different topics:"
                        + " CouponIssued.templateId, NotificationRequested.templateId (give each its own doc,"
                        + " or add the name to CopiedDocRule.SHARED_MEANINGS if it means the same everywhere)");
    }

    @Test
    void oneMeaningRepeatedWithinATopicIsNotACopy() {
        Schema orders = schema("test.orders", "OrderEvent", """
                {"name":"paid","type":{"type":"record","name":"OrderPaid","fields":[
                 {"name":"orderId","type":"string","doc":"The shop's order id, unique per merchant."}]},"doc":"Paid."},
                {"name":"cancelled","type":{"type":"record","name":"OrderCancelled","fields":[
                 {"name":"orderId","type":"string","doc":"The shop's order id, unique per merchant."}]},"doc":"Cancelled."}""");

        assertThat(CopiedDocRule.copiedDocs(List.of(orders))).isEmpty();
    }

    @Test
    void consentChannelsAreTheNotificationChannels() {
        assertThat(ConsentChannel.getClassSchema().getEnumSymbols())
                .as("Consent's doc promises that a notification channel is checked against the consent of the same name")
                .isEqualTo(NotificationChannel.getClassSchema().getEnumSymbols());
    }

    private static Schema schema(String namespace, String name, String fields) {
        return new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"" + name + "\",\"namespace\":\"" + namespace
                + "\",\"fields\":[" + fields + "]}");
    }

    @Test
    void catalogueNamesEveryTopicAndEveryEvent() {
        String catalogue = EventCatalogue.render();
        for (Topic<?> topic : Topics.ALL) {
            assertThat(catalogue).contains("## " + topic.name());
            Schema.Field payload = topic.valueSchema().getField("payload");
            if (payload != null) {
                payload.schema().getTypes().forEach(event -> assertThat(catalogue).contains("### " + event.getName()));
            }
        }
    }
}
