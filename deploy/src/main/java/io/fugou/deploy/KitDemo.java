package io.fugou.deploy;

import io.fugou.infra.LocalInfrastructure;
import io.fugou.infra.LocalPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** kit-demo (the smallest service on the exactly-once kit) from its jar, in a JVM of its own, against the local infrastructure. */
public final class KitDemo {

    public enum Mode { PIPELINE, NAIVE }

    private KitDemo() {
    }

    /** Makes the class archive the quick starts use (see {@link ServiceProcess#withClassArchive}) ahead of the first start. */
    public static void prepare(Path projectDir, LocalInfrastructure infrastructure, LocalPostgres.Database database, String inputTopic,
                               String outputTopic, Path logDir) {
        ServiceProcess.withClassArchive("kit-demo", projectDir.resolve("kit-demo/target/kit-demo.jar"),
                environment(infrastructure, database, Mode.PIPELINE, inputTopic, outputTopic, "kit-demo-1"), logDir);
    }

    public static ServiceProcess start(Path projectDir, LocalInfrastructure infrastructure, LocalPostgres.Database database, Mode mode,
                                       String inputTopic, String outputTopic, Path logDir, boolean production) {
        return start(projectDir, infrastructure, database, mode, inputTopic, outputTopic, logDir, production, "kit-demo-1");
    }

    /** One of several instances: each needs its own stable id (its Kafka transactional ids and static group membership). */
    public static ServiceProcess start(Path projectDir, LocalInfrastructure infrastructure, LocalPostgres.Database database, Mode mode,
                                       String inputTopic, String outputTopic, Path logDir, boolean production, String instanceId) {
        Map<String, String> environment = environment(infrastructure, database, mode, inputTopic, outputTopic, instanceId);
        Path jar = projectDir.resolve("kit-demo/target/kit-demo.jar");
        ServiceProcess service;
        if (production) {
            service = ServiceProcess.start("kit-demo", jar, LocalInfrastructure.freePort(), environment, logDir, ServiceProcess.PRODUCTION);
        } else {
            // Started again and again by the crash and failover tests: from a class-data archive, made by the first start.
            Map.Entry<Path, java.util.List<String>> archived = ServiceProcess.withClassArchive("kit-demo", jar, environment, logDir);
            service = ServiceProcess.start("kit-demo", archived.getKey(), LocalInfrastructure.freePort(), environment, logDir, archived.getValue());
        }
        return service.readyWithin(Duration.ofMinutes(2));
    }

    private static Map<String, String> environment(LocalInfrastructure infrastructure, LocalPostgres.Database database, Mode mode,
                                                   String inputTopic, String outputTopic, String instanceId) {
        Map<String, String> environment = ServiceProcess.localEnvironment(infrastructure, database);
        // The same instance id on every restart: a restarted instance fences its predecessor's open transaction.
        environment.put("FUGOU_INSTANCE_ID", instanceId);
        environment.put("KIT_DEMO_MODE", mode.name().toLowerCase());
        environment.put("KIT_DEMO_INPUT_TOPIC", inputTopic);
        environment.put("KIT_DEMO_OUTPUT_TOPIC", outputTopic);
        // Passed on from this JVM, to try settings or see each batch's timings in the service's log.
        System.getProperties().stringPropertyNames().stream().filter(name -> name.startsWith("kit-demo.env."))
                .forEach(name -> environment.put(name.substring("kit-demo.env.".length()), System.getProperty(name)));
        return environment;
    }
}
