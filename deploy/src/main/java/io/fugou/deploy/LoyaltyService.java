package io.fugou.deploy;

import io.fugou.infra.LocalInfrastructure;
import io.fugou.infra.LocalPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** loyalty-service from its jar, in a JVM of its own with production settings, against the local infrastructure (for benchmarks). */
public final class LoyaltyService {

    private LoyaltyService() {
    }

    public static ServiceProcess start(Path projectDir, LocalInfrastructure infrastructure, LocalPostgres.Database database, Path logDir) {
        Map<String, String> environment = ServiceProcess.localEnvironment(infrastructure, database);
        environment.put("FUGOU_INSTANCE_ID", "loyalty-bench-1");
        System.getProperties().stringPropertyNames().stream().filter(name -> name.startsWith("loyalty.env."))
                .forEach(name -> environment.put(name.substring("loyalty.env.".length()), System.getProperty(name)));
        ServiceProcess service = ServiceProcess.start("loyalty-service", projectDir.resolve("loyalty-service/target/loyalty-service.jar"),
                LocalInfrastructure.freePort(), environment, logDir, ServiceProcess.PRODUCTION);
        try {
            service.awaitReady(Duration.ofMinutes(3));
        } catch (RuntimeException e) {
            service.kill();
            throw e;
        }
        return service;
    }

    /** A bearer token for the services' local key. */
    public static String token(String merchant, List<String> scopes) {
        return LocalPlatform.localToken(merchant, scopes);
    }
}
