package io.fugou.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * deploy/compose/compose.yaml is a valid Compose file (checked by docker-compose's own validator, which needs no Docker
 * engine; deploy/test installs it) and builds every image from a jar this project makes.
 */
class ComposeFileTest {

    private static final Path PROJECT = Path.of(System.getProperty("fugou.project.dir", "..")).toAbsolutePath().normalize();
    private static final Path COMPOSE = PROJECT.resolve("deploy/compose/compose.yaml");

    @Test
    void composeValidatesTheFileWithAndWithoutTheShopProfile() throws Exception {
        assertThat(dockerCompose("config", "-q")).isEmpty();
        assertThat(dockerCompose("--profile", "shop", "config", "-q")).isEmpty();
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyImageIsBuiltFromAJarOfAModuleOfThisProjectAndEveryServiceIsWired() throws Exception {
        Map<String, Object> resolved = new Yaml().load(dockerCompose("config"));
        Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) resolved.get("services");

        assertThat(services).containsKeys("kafka", "schema-registry", "postgres", "register-schemas", "member-service", "loyalty-service",
                "campaign-service", "analytics-service", "shop-simulator");
        for (Map.Entry<String, Map<String, Object>> service : services.entrySet()) {
            Map<String, Object> build = (Map<String, Object>) service.getValue().get("build");
            if (build != null) {
                String jar = (String) ((Map<String, Object>) build.get("args")).get("JAR");
                Path module = PROJECT.resolve(jar).getParent().getParent();
                assertThat(module.resolve("pom.xml")).as(service.getKey() + " builds from " + jar).isRegularFile();
                assertThat(Files.readString(module.resolve("pom.xml"))).as(jar + " is the module's final name")
                        .contains("<finalName>" + jar.substring(jar.lastIndexOf('/') + 1).replace(".jar", "") + "</finalName>");
            }
        }
        for (String name : List.of("member-service", "loyalty-service", "campaign-service", "analytics-service")) {
            Map<String, Object> environment = (Map<String, Object>) services.get(name).get("environment");
            assertThat(environment).as(name).containsKeys("KAFKA_BOOTSTRAP_SERVERS", "SCHEMA_REGISTRY_URL", "DATABASE_R2DBC_URL", "DATABASE_JDBC_URL",
                    "DATABASE_USER", "DATABASE_PASSWORD", "FUGOU_INSTANCE_ID");
            assertThat((String) environment.get("DATABASE_R2DBC_URL")).endsWith("/" + name.replace('-', '_'));
            assertThat(services.get(name)).as(name + " has a readiness check").containsKey("healthcheck");
        }
    }

    private static String dockerCompose(String... arguments) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("docker-compose", "-f", COMPOSE.toString()));
        command.addAll(List.of(arguments));
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException notInstalled) {
            throw new AssertionError("docker-compose validates the Compose file here without a Docker engine: install it "
                    + "(deploy/test does: apt-get install docker-compose)", notInstalled);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }
}
