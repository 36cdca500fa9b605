package io.fugou.member.imports;

import io.fugou.events.MemberKey;
import io.fugou.events.common.EnrollmentChannel;
import io.fugou.member.enrollment.EnrollmentRequest;
import io.fugou.member.enrollment.Enrollments;
import io.fugou.member.program.MembershipProgram;
import io.fugou.member.program.Programs;
import io.fugou.platform.merchant.MerchantId;
import io.fugou.platform.pipeline.Outbox;
import java.io.InputStream;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.stereotype.Service;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.MappingIterator;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.csv.CsvMapper;
import tools.jackson.dataformat.csv.CsvSchema;

/**
 * Imports a merchant's existing members, streamed: CSV with a header row or JSON lines, read as they arrive and
 * enrolled {@value #CHUNK} rows per transaction (channel IMPORT, a {@code MemberEnrolled} each). A row that breaks a
 * rule is reported with its number and field and leaves nothing behind; the others are imported. A buyer who is a
 * member already is counted, not changed, so an import sent again imports nothing twice. Text that cannot be parsed
 * any further (an unclosed quote, a broken JSON line) stops the import there: the rows before it are imported and the
 * report says where it stopped.
 */
@Service
public class MemberImports {

    private static final Logger log = LoggerFactory.getLogger(MemberImports.class);
    static final int CHUNK = 500;
    /** The report lists the first errors; the count covers them all. */
    static final int ERRORS_LISTED = 1000;
    static final Set<String> COLUMNS = Set.of("customerId", "enrolledAt", "tier");

    public enum Format { CSV, JSON_LINES }

    /** A row refused: its number (1 is the first row after a CSV header, or the first JSON line), the field and why. */
    public record RowError(long row, String customerId, String field, String message) {
    }

    /**
     * How far an import has come; the last one sent is the report ({@code done}). {@code stoppedAtRow}: the row the
     * text could not be parsed at, when it stopped early.
     */
    public record Progress(long rows, long imported, long alreadyMembers, long rejected, List<RowError> errors, Long stoppedAtRow,
                           String stoppedBecause, boolean done) {
    }

    private record Row(long number, Map<String, Object> values, String unreadable) {
    }

    private final Enrollments enrollments;
    private final Programs programs;
    private final Outbox outbox;
    private final TransactionalOperator transactional;
    private final JsonMapper json;
    private final Clock clock;

    public MemberImports(Enrollments enrollments, Programs programs, Outbox outbox, ReactiveTransactionManager transactions, JsonMapper json,
                         Clock clock) {
        this.outbox = outbox;
        this.enrollments = enrollments;
        this.programs = programs;
        this.transactional = TransactionalOperator.create(transactions);
        this.json = json;
        this.clock = clock;
    }

    /** Imports the rows as they arrive; emits the progress after every chunk, and the report last. */
    public Flux<Progress> run(MerchantId merchant, Publisher<DataBuffer> body, Format format) {
        Tally tally = new Tally();
        return programs.inForce(merchant, clock.instant()).flatMapMany(version -> Flux.using(
                        () -> rows(DataBufferUtils.subscriberInputStream(body, 4), format),
                        rows -> Flux.fromIterable(() -> rows),
                        CloseableRows::close)
                .subscribeOn(Schedulers.boundedElastic())
                .buffer(CHUNK)
                .concatMap(chunk -> apply(merchant, version.program(), chunk, tally))
                .concatWith(Mono.fromSupplier(() -> tally.progress(true))))
                .doOnNext(progress -> {
                    if (progress.done()) {
                        log.info("Import for {}: {} rows, {} imported, {} members already, {} rejected{}", merchant.value(), progress.rows(),
                                progress.imported(), progress.alreadyMembers(), progress.rejected(),
                                progress.stoppedAtRow() == null ? "" : ", stopped at row " + progress.stoppedAtRow());
                    }
                });
    }

    private Mono<Progress> apply(MerchantId merchant, MembershipProgram program, List<Row> chunk, Tally tally) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        List<EnrollmentRequest> valid = new ArrayList<>();
        for (Row row : chunk) {
            tally.rows++;
            if (row.unreadable() != null) {
                tally.rows--; // not a row: where the text stopped
                tally.stoppedAtRow = row.number();
                tally.stoppedBecause = row.unreadable();
                continue;
            }
            EnrollmentRequest request = request(merchant, program, row, now, tally);
            if (request != null) {
                valid.add(request);
            }
        }
        return enrollments.enroll(valid, Enrollments.Unresolved.ENROLL_WITHOUT)
                .as(outbox::appendingOnceAtTheEnd)
                .as(transactional::transactional)
                .map(created -> {
                    tally.imported += created.size();
                    tally.alreadyMembers += valid.size() - created.size();
                    return tally.progress(false);
                });
    }

    /** The row as an enrollment, or null after reporting what is wrong with it. */
    private static EnrollmentRequest request(MerchantId merchant, MembershipProgram program, Row row, Instant now, Tally tally) {
        Map<String, Object> values = row.values();
        String customerId = text(values.get("customerId"));
        for (String column : values.keySet()) {
            if (!COLUMNS.contains(column)) {
                return tally.reject(row, customerId, column, "is not a column of the import; it knows " + COLUMNS);
            }
        }
        if (customerId == null || customerId.length() > 200) {
            return tally.reject(row, customerId, "customerId", "must be the shop's id of the buyer (1 to 200 characters)");
        }
        Instant enrolledAt = now;
        String given = text(values.get("enrolledAt"));
        if (given != null) {
            try {
                enrolledAt = given.length() == 10 ? LocalDate.parse(given).atStartOfDay(program.zone()).toInstant()
                        : Instant.parse(given).truncatedTo(ChronoUnit.MILLIS);
            } catch (DateTimeException e) {
                return tally.reject(row, customerId, "enrolledAt", "must be a date (2024-03-01) or an instant (2024-03-01T09:30:00Z), not '" + given + "'");
            }
            if (enrolledAt.isAfter(now.plus(Duration.ofMinutes(5)))) {
                return tally.reject(row, customerId, "enrolledAt", "must not be in the future");
            }
        }
        String tier = text(values.get("tier"));
        if (tier != null && !program.hasTier(tier)) {
            return tally.reject(row, customerId, "tier", "'" + tier + "' is no tier of the merchant's programme");
        }
        return new EnrollmentRequest(new MemberKey(merchant.value(), customerId), EnrollmentChannel.IMPORT, null, null, null, null, tier, enrolledAt);
    }

    private static String text(Object value) {
        if (value == null) {
            return null;
        }
        String text = value.toString().trim();
        return text.isEmpty() ? null : text;
    }

    /** What an import has done so far; touched by one chunk at a time. */
    private static final class Tally {
        long rows;
        long imported;
        long alreadyMembers;
        long rejected;
        Long stoppedAtRow;
        String stoppedBecause;
        final List<RowError> errors = new ArrayList<>();

        EnrollmentRequest reject(Row row, String customerId, String field, String message) {
            rejected++;
            if (errors.size() < ERRORS_LISTED) {
                errors.add(new RowError(row.number(), customerId, field, message));
            }
            return null;
        }

        Progress progress(boolean done) {
            return new Progress(rows, imported, alreadyMembers, rejected, done ? List.copyOf(errors) : List.of(), stoppedAtRow, stoppedBecause, done);
        }
    }

    /** The rows of the body, read as the iterator is asked for them (blocking: on a worker thread). */
    private CloseableRows rows(InputStream in, Format format) {
        MappingIterator<Map<String, Object>> values = format == Format.CSV
                ? new CsvMapper().readerFor(Map.class).with(CsvSchema.emptySchema().withHeader()).readValues(in)
                : json.readerFor(Map.class).readValues(in);
        return new CloseableRows(values, in);
    }

    private static final class CloseableRows implements Iterator<Row> {
        private final MappingIterator<Map<String, Object>> values;
        private final InputStream in;
        private long number;
        private boolean stopped;

        CloseableRows(MappingIterator<Map<String, Object>> values, InputStream in) {
            this.values = values;
            this.in = in;
        }

        @Override
        public boolean hasNext() {
            if (stopped) {
                return false;
            }
            try {
                return values.hasNextValue();
            } catch (JacksonException e) {
                return true; // next() reports it
            }
        }

        @Override
        public Row next() {
            if (stopped) {
                throw new NoSuchElementException();
            }
            number++;
            try {
                return new Row(number, values.nextValue(), null);
            } catch (JacksonException e) {
                stopped = true;
                return new Row(number, Map.of(), e.getOriginalMessage());
            }
        }

        void close() {
            try {
                values.close();
                in.close();
            } catch (Exception e) {
                log.debug("Closing an import's body failed", e);
            }
        }
    }
}
