package io.fugou.events;

import java.nio.file.Files;
import java.nio.file.Path;

/** Rewrites docs/events.md from the schemas (run from the repository root). */
public final class WriteEventCatalogue {

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args.length > 0 ? args[0] : "docs/events.md");
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, EventCatalogue.render());
        System.out.println("Wrote " + file.toAbsolutePath());
    }

    private WriteEventCatalogue() {
    }
}
