package io.fugou.platform.testapp;

import io.fugou.platform.merchant.MerchantId;
import io.fugou.platform.schedule.DailyJob;
import io.fugou.platform.schedule.MerchantCalendar;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** A daily job as a service declares one, due from midnight in one merchant's zone; tests read what it ran. */
@Configuration
@ConditionalOnProperty("spring.r2dbc.url")
public class DailyTally {

    public static final MerchantId MERCHANT = new MerchantId("daily-tally");

    private final List<String> runs = new CopyOnWriteArrayList<>();

    public List<String> runs() {
        return List.copyOf(runs);
    }

    @Bean
    DailyJob tallyJob() {
        return new DailyJob() {
            @Override
            public String name() {
                return "daily-tally";
            }

            @Override
            public LocalTime at() {
                return LocalTime.MIDNIGHT;
            }

            @Override
            public Mono<Void> run(MerchantId merchant, LocalDate day) {
                return Mono.fromRunnable(() -> runs.add(merchant.value() + " " + day));
            }
        };
    }

    @Bean
    MerchantCalendar merchantCalendar() {
        return () -> Flux.just(new MerchantCalendar.MerchantZone(MERCHANT, ZoneId.of("Asia/Shanghai")));
    }
}
