package io.fugou.deploy.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * A latency run's figures second by second of publishing: a p99 is often set by one or two slow episodes (a
 * checkpoint, a pause), which the whole run's figure hides and this line shows, with when they were.
 */
final class LatencyBySecond {

    private final int rate;
    private final int warmUp;
    private final Histogram run;
    private final List<Histogram> seconds = new ArrayList<>();

    /**
     * {@code rate} records a second, of which the first {@code warmUp} are not measured, for {@code measuredSeconds}; each
     * measured one is also recorded in {@code run}, the whole run's histogram.
     */
    LatencyBySecond(int rate, int warmUp, int measuredSeconds, Histogram run) {
        this.rate = rate;
        this.warmUp = warmUp;
        this.run = run;
        for (int i = 0; i < measuredSeconds; i++) {
            seconds.add(new Histogram(TimeUnit.MINUTES.toMillis(10), 2));
        }
    }

    /** The latency of the record published {@code index}-th (from 0, warm-up included); whether it was measured. */
    boolean record(int index, long millis) {
        if (index < warmUp) {
            return false;
        }
        run.recordValue(millis);
        int second = (index - warmUp) / rate;
        if (second < seconds.size()) {
            seconds.get(second).recordValue(millis);
        }
        return true;
    }

    /** For example {@code p99 by second of publishing, ms: 294 120 95 ...}. */
    String summary() {
        StringBuilder line = new StringBuilder("p99 by second of publishing, ms (max in brackets when over twice the p99):");
        for (Histogram second : seconds) {
            long p99 = second.getTotalCount() == 0 ? 0 : second.getValueAtPercentile(99);
            line.append(' ').append(p99);
            if (second.getMaxValue() > 2 * p99) {
                line.append(" [").append(second.getMaxValue()).append(']');
            }
        }
        return line.toString();
    }
}
