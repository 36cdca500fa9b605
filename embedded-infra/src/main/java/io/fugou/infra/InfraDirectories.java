package io.fugou.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where the embedded servers keep their files: one documented directory, never scattered in /tmp. */
final class InfraDirectories {

    /** System property (or env FUGOU_INFRA_DIR) naming the root; the build sets it to target/infra. */
    static final String PROPERTY = "fugou.infra.dir";

    private InfraDirectories() {
    }

    static Path root() {
        String configured = System.getProperty(PROPERTY, System.getenv("FUGOU_INFRA_DIR"));
        Path root = Path.of(configured != null ? configured : "target/infra").toAbsolutePath().normalize();
        return createDirectories(root);
    }

    static Path createDirectories(Path dir) {
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free local port", e);
        }
    }
}
