package io.fugou.events;

import java.nio.file.Path;

/**
 * Records the current value schemas as released versions, once a change has shipped:
 * {@code mvn -pl schemas test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=io.fugou.events.ReleaseSchemas}.
 * From then on {@link SchemaCompatibilityTest} holds every later change to them.
 */
public final class ReleaseSchemas {

    public static void main(String[] args) throws Exception {
        ReleasedSchemas released = new ReleasedSchemas(Path.of(args.length > 0 ? args[0] : "schemas/released"));
        for (Topic<?> topic : Topics.ALL) {
            Path written = released.releaseIfChanged(topic.valueSubject(), topic.valueSchema());
            System.out.println(topic.valueSubject() + ": " + (written == null ? "unchanged" : "released as " + written));
        }
    }

    private ReleaseSchemas() {
    }
}
