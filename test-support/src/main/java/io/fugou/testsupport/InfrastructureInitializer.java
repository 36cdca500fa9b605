package io.fugou.testsupport;

import io.fugou.infra.LocalPostgres;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Points a Spring test context at the JVM's shared infrastructure: Kafka, the schema registry, and
 * the service's own database (named after {@code spring.application.name}), in local security mode.
 */
public class InfrastructureInitializer implements ApplicationContextInitializer<ConfigurableApplicationContext> {

    @Override
    public void initialize(ConfigurableApplicationContext context) {
        TestInfrastructure infrastructure = TestInfrastructure.get();
        String application = context.getEnvironment().getProperty("spring.application.name", "fugou");
        LocalPostgres.Database database = infrastructure.database(application.replace('-', '_'));
        TestPropertyValues.of(
                "spring.kafka.bootstrap-servers=" + infrastructure.bootstrapServers(),
                "spring.kafka.properties.schema.registry.url=" + infrastructure.schemaRegistryUrl(),
                "spring.r2dbc.url=" + database.r2dbcUrl(),
                "spring.r2dbc.username=" + database.user(),
                "spring.r2dbc.password=" + database.password(),
                "spring.flyway.url=" + database.jdbcUrl(),
                "spring.flyway.user=" + database.user(),
                "spring.flyway.password=" + database.password(),
                // Tests mint their own tokens with the local key: local mode must be asked for (security fails closed).
                "fugou.security.mode=local")
                .applyTo(context);
    }
}
