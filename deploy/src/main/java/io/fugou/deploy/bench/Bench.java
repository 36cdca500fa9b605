package io.fugou.deploy.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code deploy/bench kit|loyalty|campaign|analytics|all [--records N]}: runs a benchmark on the local infrastructure, prints its
 * table and writes {@code target/bench/NAME.json} (shared/BENCH.md). {@code all} runs every one.
 */
public final class Bench {

    private static final Instant STARTED = Instant.now();
    /**
     * Seconds of a latency phase's load published before any is measured. Its paths (records sent one by one, batches of
     * tens, the broker's small requests) are new to every JVM after the throughput phase: in a campaign run that measured
     * two latency phases back to back, the first's seconds started at a p99 of 150-390 ms and fell over about 15 s, where
     * the second's were 50-130 ms from the start (p99 274 against 100 ms). The figure is of the steady load, so the
     * warm-up covers that.
     */
    static final int LATENCY_WARM_UP_SECONDS = 60;

    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || !List.of("kit", "loyalty", "campaign", "analytics", "all").contains(args[0])) {
            System.err.println("usage: deploy/bench kit|loyalty|campaign|analytics|all [--records N] [--naive-records N] [--rate N] [--latency-seconds N] [--warm-up N]");
            System.exit(2);
        }
        int records = intOption(args, "--records", 1_000_000);
        KitBench.Options options = new KitBench.Options(records, intOption(args, "--naive-records", Math.min(10_000, records)),
                intOption(args, "--rate", 1000), intOption(args, "--latency-seconds", 30), intOption(args, "--warm-up", -1),
                Path.of(System.getProperty("fugou.project.dir", ".")).toAbsolutePath().normalize());
        if (args[0].equals("kit") || args[0].equals("all")) {
            write("kit", KitBench.run(options), options);
        }
        if (args[0].equals("loyalty") || args[0].equals("all")) {
            write("loyalty", LoyaltyBench.run(options), options);
        }
        if (args[0].equals("campaign") || args[0].equals("all")) {
            // Each trigger is a new member with a coupon: 50,000 by default keeps the run within minutes.
            KitBench.Options campaign = new KitBench.Options(intOption(args, "--records", 50_000), options.naiveRecords(), options.rate(),
                    options.latencySeconds(), options.warmUp(), options.projectDir());
            write("campaign", CampaignBench.run(campaign), campaign);
        }
        if (args[0].equals("analytics") || args[0].equals("all")) {
            write("analytics", AnalyticsBench.run(options), options);
        }
    }

    private static void write(String name, BenchReport report, KitBench.Options options) throws Exception {
        Path json = options.projectDir().resolve("target/bench/" + name + ".json");
        Files.createDirectories(json.getParent());
        Files.writeString(json, JsonMapper.builder().build().writerWithDefaultPrettyPrinter().writeValueAsString(report.json()));
        System.out.println(report.table());
        System.out.println("Figures: " + json);
    }

    private static int intOption(String[] args, String name, int fallback) {
        for (int i = 1; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return Integer.parseInt(args[i + 1].replace("_", ""));
            }
        }
        return fallback;
    }

    static void step(String message) {
        System.out.printf("[bench %s] %s%n", elapsed(), message);
    }

    static void progress(String message) {
        System.out.printf("[bench %s]   %s%n", elapsed(), message);
    }

    private static String elapsed() {
        long seconds = Duration.between(STARTED, Instant.now()).toSeconds();
        return String.format("%d:%02d", seconds / 60, seconds % 60);
    }
}
