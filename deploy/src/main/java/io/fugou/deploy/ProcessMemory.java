package io.fugou.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The memory this JVM and every process it started use, read from Linux's {@code /proc} (resident set sizes): what
 * running fugou on this machine costs. The JDK has no portable way to read another process's memory, hence by hand.
 */
final class ProcessMemory {

    private ProcessMemory() {
    }

    /** "9 processes using 3.1 GiB of memory" for this JVM, its descendants and {@code others}, or a note that it cannot be read here. */
    static String describe(List<ProcessHandle> others) {
        List<ProcessHandle> processes = Stream.of(Stream.of(ProcessHandle.current()), ProcessHandle.current().descendants(), others.stream())
                .flatMap(stream -> stream).distinct().toList();
        long bytes = 0;
        for (ProcessHandle process : processes) {
            long resident = residentBytes(process.pid());
            if (resident < 0) {
                return processes.size() + " processes (memory not readable here: no /proc)";
            }
            bytes += resident;
        }
        return String.format("%d processes using %.1f GiB of memory (resident)", processes.size(), bytes / (1024.0 * 1024 * 1024));
    }

    /** VmRSS of a process in bytes; 0 for one gone meanwhile; -1 where there is no /proc. */
    static long residentBytes(long pid) {
        Path status = Path.of("/proc", Long.toString(pid), "status");
        if (!Files.isDirectory(Path.of("/proc/self"))) {
            return -1;
        }
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                }
            }
            return 0;
        } catch (IOException | NumberFormatException gone) {
            return 0;
        }
    }
}
