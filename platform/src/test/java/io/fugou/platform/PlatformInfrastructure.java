package io.fugou.platform;

import io.fugou.infra.LocalInfrastructure;
import io.fugou.infra.LocalPostgres;
import io.fugou.platform.kafka.RegistryOutage;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;

/** Points the test service at the JVM's broker, its own database and, through the outage proxy, the registry. */
public class PlatformInfrastructure implements ApplicationContextInitializer<ConfigurableApplicationContext> {

    public static final LocalInfrastructure INFRASTRUCTURE = LocalInfrastructure.shared();
    public static final RegistryOutage REGISTRY = startOutageProxy();

    @Override
    public void initialize(ConfigurableApplicationContext context) {
        LocalPostgres.Database database = INFRASTRUCTURE.postgres().database("platform_test");
        TestPropertyValues.of(
                "spring.kafka.bootstrap-servers=" + INFRASTRUCTURE.kafka().bootstrapServers(),
                "spring.kafka.properties.schema.registry.url=" + REGISTRY.url(),
                "spring.r2dbc.url=" + database.r2dbcUrl(),
                "spring.r2dbc.username=" + database.user(),
                "spring.r2dbc.password=" + database.password(),
                "fugou.schedule.jdbc-url=" + database.jdbcUrl(),
                "fugou.schedule.username=" + database.user(),
                "fugou.schedule.password=" + database.password(),
                "fugou.schedule.check-interval=1s").applyTo(context);
    }

    private static RegistryOutage startOutageProxy() {
        try {
            return new RegistryOutage(INFRASTRUCTURE.registry().url());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
