package io.fugou.deploy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.springframework.util.FileSystemUtils;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code deploy/run}: the whole platform and the simulated shop on this machine, until Ctrl-C. */
@Command(name = "deploy/run", mixinStandardHelpOptions = true,
        description = "Runs the whole fugou platform (Kafka, PostgreSQL, the schema registry, the four services) and a simulated shop on this machine.",
        footer = {"", "Options after -- go to the simulated shop (java -jar shop-simulator/target/shop-simulator.jar --help lists them).",
                "FUGOU_PORTS=any picks free ports instead of 9092, 15432, 8081 and 8101-8104."})
public final class RunCommand implements Callable<Integer> {

    @Option(names = "--fresh", description = "Start with empty data: delete what earlier runs kept in local-data/")
    boolean fresh;

    @Option(names = "--no-shop", description = "Do not run the simulated shop")
    boolean noShop;

    @Option(names = "--instances", defaultValue = "1",
            description = "Instances of loyalty-service and analytics-service, sharing their partitions (default: ${DEFAULT-VALUE}; the second on 8112 and 8114)")
    int instances;

    @Parameters(paramLabel = "SHOP-OPTION", description = "Options for the simulated shop, after --", arity = "0..*")
    List<String> shopOptions = new ArrayList<>();

    /** Held open (and locked) as long as this JVM runs. */
    private static java.nio.channels.FileChannel runLock;

    public static void main(String[] args) {
        int exit = new CommandLine(new RunCommand()).execute(args);
        if (exit != 0) {
            System.exit(exit);
        }
    }

    @Override
    public Integer call() throws Exception {
        Path project = Path.of(System.getProperty("fugou.project.dir", System.getenv().getOrDefault("FUGOU_PROJECT_DIR", "."))).toAbsolutePath().normalize();
        LocalPlatform.Ports ports = "any".equalsIgnoreCase(System.getenv("FUGOU_PORTS")) ? LocalPlatform.anyPorts() : LocalPlatform.Ports.defaults();
        if (instances < 1 || instances > 4) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--instances is 1 to 4 on one machine");
        }
        Path data = project.resolve("local-data");
        // One run at a time on the data: a second would stop the first one's PostgreSQL as if it were left over.
        Files.createDirectories(project.resolve("target/local-run"));
        runLock = java.nio.channels.FileChannel.open(project.resolve("target/local-run/run.lock"),
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
        if (runLock.tryLock() == null) {
            System.err.println("[fugou] Another deploy/run is using " + data + " (target/local-run/run.lock is held): stop it first.");
            return 1;
        }
        if (fresh && Files.exists(data)) {
            System.out.println("[fugou] Deleting the data of earlier runs (--fresh): " + data);
            FileSystemUtils.deleteRecursively(data);
        }
        LocalPlatform platform = LocalPlatform.start(project, ports, data, ServiceProcess.UNDER_LOAD, instances);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("[fugou] Stopping...");
            platform.close();
            stopped.countDown();
        }, "stop-fugou"));
        platform.printSummary();
        if (!noShop) {
            platform.startShop(shopOptions);
        }
        // What the whole platform costs this machine, now and then.
        while (!stopped.await(1, java.util.concurrent.TimeUnit.MINUTES)) {
            System.out.println("[fugou] " + platform.memory());
        }
        return 0;
    }
}
