package io.fugou.member.program;

import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/** Once the service is up, every merchant's programme tiers are published again ({@link Programs#publishAll}). */
@Component
class ProgramsPublishedAtStart {

    private static final Logger log = LoggerFactory.getLogger(ProgramsPublishedAtStart.class);

    private final Programs programs;
    private final Clock clock;

    ProgramsPublishedAtStart(Programs programs, Clock clock) {
        this.programs = programs;
        this.clock = clock;
    }

    @EventListener(ApplicationReadyEvent.class)
    void publish() {
        programs.publishAll(clock.instant()).subscribe(null,
                failure -> log.warn("Could not publish the programmes' tiers at start; the next start or programme change will", failure));
    }
}
