package io.fugou.infra;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** A real PostgreSQL server from embedded binaries on Maven Central; one database per service. */
public final class LocalPostgres implements AutoCloseable {

    public static final String USER = "postgres";

    private final EmbeddedPostgres postgres;
    private final Path dataDir;

    private LocalPostgres(EmbeddedPostgres postgres, Path dataDir) {
        this.postgres = postgres;
        this.dataDir = dataDir;
    }

    /** Starts PostgreSQL on the given port (0 for any free port) with its data under {@code dataDir}, removed when it stops. */
    public static LocalPostgres start(int port, Path dataDir) {
        return start(port, dataDir, false);
    }

    /**
     * The system property that has PostgreSQL keep each statement's statistics ({@code pg_stat_statements}; query them after
     * {@code create extension pg_stat_statements} in the database).
     */
    public static final String STATEMENT_STATISTICS = "fugou.infra.postgres.statement-statistics";

    /**
     * Starts PostgreSQL on the given port (0 for any free port) with its data under {@code dataDir};
     * with {@code keepData} a second start finds the databases of the first (initdb runs only on an empty directory).
     */
    public static LocalPostgres start(int port, Path dataDir, boolean keepData) {
        if (keepData) {
            stopOrphan(dataDir);
        }
        try {
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(!keepData)
                    .setOverrideWorkingDirectory(InfraDirectories.createDirectories(InfraDirectories.root().resolve("pg-binaries")).toFile());
            if (port > 0) {
                InfraDirectories.requireFree(port, "PostgreSQL");
            }
            if (Boolean.getBoolean(STATEMENT_STATISTICS)) {
                // Each statement's calls and time, for finding where a benchmark's database time goes (pg_stat_statements).
                builder.setServerConfig("shared_preload_libraries", "pg_stat_statements");
            }
            // Our own free port even when any will do: zonky's own pick could collide with the ports of the servers started beside it.
            builder.setPort(port > 0 ? port : InfraDirectories.freePort());
            return new LocalPostgres(builder.start(), dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("PostgreSQL did not start", e);
        }
    }

    public int port() {
        return postgres.getPort();
    }

    /**
     * Stops a server left running on kept data by a launcher that was killed (pg_ctl starts it detached, so it outlives
     * its JVM): its postmaster.pid names it. Fast shutdown (SIGINT): its clients are gone with the launcher.
     */
    private static void stopOrphan(Path dataDir) {
        Path pidFile = dataDir.resolve("postmaster.pid");
        try {
            if (!java.nio.file.Files.exists(pidFile)) {
                return;
            }
            long pid = Long.parseLong(java.nio.file.Files.readAllLines(pidFile).get(0).trim());
            java.util.Optional<ProcessHandle> orphan = ProcessHandle.of(pid)
                    .filter(process -> process.info().command().map(command -> command.endsWith("/postgres")).orElse(false));
            if (orphan.isEmpty()) {
                return; // a stale file: postgres itself ignores it
            }
            new ProcessBuilder("kill", "-INT", Long.toString(pid)).start().waitFor();
            orphan.get().onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (IOException | RuntimeException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("a PostgreSQL left running on " + dataDir + " (see its postmaster.pid) could not be stopped: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping the PostgreSQL left running on " + dataDir, e);
        }
    }

    /**
     * The server's processes: the postmaster (found by its data directory, as pg_ctl starts it detached from this JVM)
     * and its children, one per connection and background worker.
     */
    public java.util.List<ProcessHandle> processes() {
        String directory = dataDir.toAbsolutePath().toString();
        return ProcessHandle.allProcesses()
                .filter(process -> process.info().arguments().map(arguments -> java.util.Arrays.asList(arguments).contains(directory)).orElse(false))
                .flatMap(postmaster -> java.util.stream.Stream.concat(java.util.stream.Stream.of(postmaster), postmaster.descendants()))
                .toList();
    }

    /** Creates the database if it does not exist, and returns how to reach it. */
    public Database database(String name) {
        if (!name.matches("[a-z][a-z0-9_]*")) {
            throw new IllegalArgumentException("database names are lower-case identifiers: " + name);
        }
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
             Statement statement = connection.createStatement()) {
            try (ResultSet exists = statement.executeQuery("select 1 from pg_database where datname = '" + name + "'")) {
                if (!exists.next()) {
                    statement.execute("create database " + name);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name, e);
        }
        return new Database(name, port());
    }

    /** Connection details of one database, for R2DBC (the services) and JDBC (Flyway). */
    public record Database(String name, int port) {
        public String jdbcUrl() {
            return "jdbc:postgresql://localhost:" + port + "/" + name;
        }

        public String r2dbcUrl() {
            return "r2dbc:postgresql://localhost:" + port + "/" + name;
        }

        public String user() {
            return USER;
        }

        public String password() {
            return USER;
        }
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
