package io.fugou.deploy.bench;

import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A benchmark's figures, as shared/BENCH.md describes them: a table to read, JSON to compare runs. */
final class BenchReport {

    private final String name;
    private final int records;
    private final Instant started = Instant.now();
    private final List<Map<String, Object>> figures = new ArrayList<>();
    private int warmUpRecords;

    BenchReport(String name, int records) {
        this.name = name;
        this.records = records;
    }

    void figure(String figure, double value, String unit) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("figure", figure);
        entry.put("value", round(value));
        entry.put("unit", unit);
        figures.add(entry);
    }

    void throughput(String figure, double value, String unit, String limit, double limitValue) {
        figure(figure, value, unit);
        Map<String, Object> entry = figures.get(figures.size() - 1);
        entry.put("limit", limit);
        entry.put("limitValue", round(limitValue));
        double ratio = value / limitValue;
        // Two decimals, three under 0.1, so a small ratio does not print as 0.0.
        entry.put("ratio", ratio < 0.1 ? Math.round(ratio * 1000) / 1000.0 : Math.round(ratio * 100) / 100.0);
    }

    /** Records processed before the measured ones (not counted in the throughput). */
    void warmUp(int records) {
        this.warmUpRecords = records;
    }

    void latency(String figure, double value, String at) {
        figure(figure, value, "ms");
        figures.get(figures.size() - 1).put("at", at);
    }

    Map<String, Object> json() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("name", name);
        json.put("started", started.toString());
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("cpu", CPU);
        machine.put("cores", Runtime.getRuntime().availableProcessors());
        long memory = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize();
        machine.put("memoryGiB", Math.round(memory / (1024.0 * 1024 * 1024)));
        machine.put("java", System.getProperty("java.version"));
        json.put("machine", machine);
        json.put("records", records);
        if (warmUpRecords > 0) {
            json.put("warmUpRecords", warmUpRecords);
        }
        json.put("figures", figures);
        return json;
    }

    /** The processor's model, read once. */
    private static final String CPU = cpuModel();

    /** The processor's model, so runs on different machines are not compared as if alike; the architecture where it is not told. */
    private static String cpuModel() {
        try (java.util.stream.Stream<String> lines = java.nio.file.Files.lines(java.nio.file.Path.of("/proc/cpuinfo"))) {
            return lines.filter(line -> line.startsWith("model name")).map(line -> line.substring(line.indexOf(':') + 1).trim())
                    .findFirst().orElse(System.getProperty("os.arch"));
        } catch (java.io.IOException | java.io.UncheckedIOException notLinux) {
            return System.getProperty("os.arch");
        }
    }

    String table() {
        StringBuilder table = new StringBuilder();
        table.append(String.format("%n%s, %d cores, Java %s%n", CPU, Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version")));
        table.append(String.format("%n| figure | value | unit | limit | ratio |%n|---|---:|---|---|---:|%n"));
        for (Map<String, Object> figure : figures) {
            String limit = figure.containsKey("limit") ? figure.get("limit") + " = " + format(figure.get("limitValue"))
                    : figure.containsKey("at") ? "at " + figure.get("at") : "";
            table.append(String.format("| %s | %s | %s | %s | %s |%n", figure.get("figure"), format(figure.get("value")), figure.get("unit"),
                    limit, figure.getOrDefault("ratio", "")));
        }
        return table.toString();
    }

    private static String format(Object value) {
        return value instanceof Number number && number.doubleValue() >= 100 ? String.format("%,.0f", number.doubleValue()) : String.valueOf(value);
    }

    private static Object round(double value) {
        return value >= 100 ? (Object) Math.round(value) : (Object) (Math.round(value * 100) / 100.0);
    }
}
