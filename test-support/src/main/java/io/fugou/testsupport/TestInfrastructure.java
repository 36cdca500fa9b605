package io.fugou.testsupport;

import io.fugou.infra.LocalInfrastructure;
import io.fugou.infra.LocalPostgres;

/**
 * The servers integration tests run against, once per test JVM: by default real servers started
 * from Maven artifacts (no Docker needed); with {@code -Dfugou.infra=testcontainers} on a machine
 * with Docker, Kafka, PostgreSQL and Confluent's schema registry in containers.
 */
public interface TestInfrastructure {

    String SELECTOR = "fugou.infra";

    String bootstrapServers();

    String schemaRegistryUrl();

    /** Creates (if needed) the named database and returns how to reach it. */
    LocalPostgres.Database database(String name);

    static TestInfrastructure get() {
        return Holder.INSTANCE;
    }

    final class Holder {
        private static final TestInfrastructure INSTANCE = withContracts("testcontainers".equalsIgnoreCase(System.getProperty(SELECTOR))
                ? TestcontainersInfrastructure.start()
                : embedded());

        /** As deploy/run does: a test playing a shop may read the latest schema before any service produced. */
        private static TestInfrastructure withContracts(TestInfrastructure infrastructure) {
            io.fugou.platform.kafka.SchemaContracts.registerAll(infrastructure.schemaRegistryUrl());
            return infrastructure;
        }

        private static TestInfrastructure embedded() {
            LocalInfrastructure local = LocalInfrastructure.shared();
            return new TestInfrastructure() {
                @Override
                public String bootstrapServers() {
                    return local.kafka().bootstrapServers();
                }

                @Override
                public String schemaRegistryUrl() {
                    return local.registry().url();
                }

                @Override
                public LocalPostgres.Database database(String name) {
                    return local.postgres().database(name);
                }
            };
        }

        private Holder() {
        }
    }
}
