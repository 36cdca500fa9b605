package io.fugou.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
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
