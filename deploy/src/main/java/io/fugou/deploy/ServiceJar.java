package io.fugou.deploy;

import io.fugou.infra.LocalInfrastructure;
import io.fugou.infra.LocalPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A service from its jar, in a JVM of its own with production settings, against the local infrastructure (for benchmarks).
 * System properties {@code <short name>.env.NAME} (loyalty.env.FUGOU_PIPELINE_MAX_BATCH, say) set its environment.
 */
public final class ServiceJar {

    private ServiceJar() {
    }

    /** Starts {@code service} (loyalty-service, campaign-service...) and waits until it is ready. */
    public static ServiceProcess start(String service, Path projectDir, LocalInfrastructure infrastructure, LocalPostgres.Database database,
                                       Path logDir) {
        Map<String, String> environment = ServiceProcess.localEnvironment(infrastructure, database);
        String shortName = service.substring(0, service.indexOf('-'));
        environment.put("FUGOU_INSTANCE_ID", shortName + "-bench-1");
        if (service.equals("analytics-service")) {
            // The infrastructure is new each run, so what analytics kept on disk the run before is stale: one directory,
            // emptied here, instead of one more left in the log directory per run.
            Path state = logDir.resolve("analytics-state");
            try {
                org.springframework.util.FileSystemUtils.deleteRecursively(state);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("cannot empty " + state, e);
            }
            environment.put("FUGOU_ANALYTICS_STATE_DIR", state.toString());
        }
        System.getProperties().stringPropertyNames().stream().filter(name -> name.startsWith(shortName + ".env."))
                .forEach(name -> environment.put(name.substring((shortName + ".env.").length()), System.getProperty(name)));
        ServiceProcess started = ServiceProcess.start(service, projectDir.resolve(service + "/target/" + service + ".jar"),
                LocalInfrastructure.freePort(), environment, logDir, ServiceProcess.PRODUCTION);
        // A benchmark stopped by Ctrl-C or kill never reaches its try-with-resources: its service is stopped then too
        // (as its infrastructure is). Closing a service already closed does nothing.
        Runtime.getRuntime().addShutdownHook(new Thread(started::close, service + "-stop"));
        return started.readyWithin(Duration.ofMinutes(3));
    }

    /** A bearer token for the services' local key. */
    public static String token(String merchant, List<String> scopes) {
        return LocalPlatform.localToken(merchant, scopes);
    }
}
