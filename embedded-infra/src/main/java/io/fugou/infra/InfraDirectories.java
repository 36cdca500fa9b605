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

    /** Fails with a message naming the port and what wanted it, instead of a bind error deep in a server's log. */
    static void requireFree(int port, String what) {
        requireFree(port, what, "stop it, or run with FUGOU_PORTS=any to use free ports (deploy/run prints the ones it uses)");
    }

    /** As {@link #requireFree(int, String)}, with what to do about it. */
    static void requireFree(int port, String what, String advice) {
        try (ServerSocket socket = new ServerSocket(port)) {
            socket.setReuseAddress(true);
        } catch (IOException e) {
            throw new IllegalStateException("Port " + port + " for " + what + " is taken by another process; " + advice, e);
        }
    }

    /** A port this JVM must not hand out: one a server keeps across runs. */
    static synchronized void reserve(int port) {
        handedOut.add(port);
    }

    /** Ports this JVM handed out: the servers it starts in parallel must never be given the same one. */
    private static final java.util.Set<Integer> handedOut = new java.util.HashSet<>();

    /**
     * A local port nothing listens on right now and that this JVM has not handed out before. The
     * operating system may offer a port again as soon as its probe socket is closed, so without the
     * record two servers starting side by side (Kafka and PostgreSQL, say) could be given the same one.
     */
    static synchronized int freePort() {
        for (int attempt = 0; attempt < 100; attempt++) {
            try (ServerSocket socket = new ServerSocket(0)) {
                socket.setReuseAddress(true);
                if (handedOut.add(socket.getLocalPort())) {
                    return socket.getLocalPort();
                }
            } catch (IOException e) {
                throw new UncheckedIOException("no free local port", e);
            }
        }
        throw new IllegalStateException("no free local port that was not handed out already");
    }
}
