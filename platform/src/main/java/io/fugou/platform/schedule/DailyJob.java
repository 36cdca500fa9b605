package io.fugou.platform.schedule;

import io.fugou.platform.merchant.MerchantId;
import java.time.LocalDate;
import java.time.LocalTime;
import reactor.core.publisher.Mono;

/**
 * Work done once a day for each merchant, at a time of the merchant's own day (points expiring at
 * midnight in Shanghai are not expiring at midnight in UTC). Declare it as a bean; the platform runs it
 * once per merchant and day across every instance of the service ({@link DailyJobs}).
 */
public interface DailyJob {

    /** Stable name: what has run is recorded under it. */
    String name();

    /** The merchant's local time from which the day's run is due. */
    LocalTime at();

    /**
     * The day's work for one merchant, in a database transaction that also records the run: if it fails,
     * nothing of it stays and it is tried again at the next check.
     */
    Mono<Void> run(MerchantId merchant, LocalDate day);
}
