package io.fugou.events;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.avro.Schema;

/**
 * The value schemas already released to producers and consumers, one folder per registry subject:
 * {@code released/<topic>-value/v<N>.avsc}. A released file is never edited; a release adds v<N+1>.
 */
final class ReleasedSchemas {

    private static final Pattern VERSION_FILE = Pattern.compile("v(\\d+)\\.avsc");

    private final Path root;

    ReleasedSchemas(Path root) {
        this.root = root;
    }

    static ReleasedSchemas fromSystemProperty() {
        String dir = System.getProperty("fugou.schemas.released.dir", "released");
        return new ReleasedSchemas(Path.of(dir));
    }

    record Version(int number, Path file, Schema schema) {
    }

    /** Released versions of a subject, oldest first. */
    List<Version> versions(String subject) {
        Path dir = root.resolve(subject);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(file -> {
                        Matcher m = VERSION_FILE.matcher(file.getFileName().toString());
                        return m.matches() ? new Version(Integer.parseInt(m.group(1)), file, parse(file)) : null;
                    })
                    .filter(v -> v != null)
                    .sorted(Comparator.comparingInt(Version::number))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes the current schema as the next version when it differs from the latest release in
     * any way, docs and enum defaults included: {@link Schema#equals} ignores both, yet a registry
     * registers a new version for either, and an enum default changes how readers resolve symbols.
     */
    Path releaseIfChanged(String subject, Schema current) throws IOException {
        List<Version> released = versions(subject);
        if (!released.isEmpty() && released.getLast().schema().toString().equals(current.toString())) {
            return null;
        }
        int next = released.isEmpty() ? 1 : released.getLast().number() + 1;
        Path file = root.resolve(subject).resolve("v" + next + ".avsc");
        Files.createDirectories(file.getParent());
        Files.writeString(file, current.toString(true) + System.lineSeparator());
        return file;
    }

    private static Schema parse(Path file) {
        try {
            return new Schema.Parser().parse(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read released schema " + file, e);
        }
    }
}
