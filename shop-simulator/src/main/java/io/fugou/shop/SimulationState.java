package io.fugou.shop;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;

/**
 * How far a simulated shop got: its seed, when its shops opened, which run this is, and the simulated time everything
 * up to which is on the broker. Written to a file beside the platform's kept data.
 */
record SimulationState(long seed, Instant opened, int run, Instant reached) {

    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    static SimulationState read(Path file) {
        if (!Files.exists(file)) {
            return null;
        }
        try {
            return JSON.readValue(file.toFile(), SimulationState.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the shop's state in " + file + "; delete it to start the shop afresh", e);
        }
    }

    /** Written whole and then moved in place, so a stop in the middle leaves the previous state. */
    void write(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path written = file.resolveSibling(file.getFileName() + ".new");
            JSON.writeValue(written.toFile(), this);
            Files.move(written, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the shop's state to " + file, e);
        }
    }
}
