package io.fugou.member.recruitment;

import io.fugou.events.common.EnrollmentChannel;
import io.fugou.platform.codes.RandomCodes;
import io.fugou.platform.merchant.MerchantId;
import io.fugou.platform.web.InvalidFieldException;
import io.fugou.platform.web.paging.Cursor;
import io.fugou.platform.web.paging.Page;
import io.fugou.platform.web.paging.PageRequest;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.http.HttpStatus;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.Parameter;
import org.springframework.stereotype.Repository;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Mono;

/** The merchants' recruitment codes: created once, never changed (printed posters keep working), read with their enrollments. */
@Repository
public class RecruitmentCodes {

    /** The entry points a code can stand for; referral has members' own share codes, and the rest enroll without one. */
    public static final Set<EnrollmentChannel> CODE_CHANNELS = EnumSet.of(EnrollmentChannel.SHOP_HOME, EnrollmentChannel.PRODUCT_PAGE,
            EnrollmentChannel.CAMPAIGN_PAGE, EnrollmentChannel.QR_CODE, EnrollmentChannel.MEMBER_CODE, EnrollmentChannel.POSTER,
            EnrollmentChannel.SHARED_LINK, EnrollmentChannel.OFFLINE_STORE);
    private static final String CODE_PATTERN = "[A-Za-z0-9_-]{3,40}";

    /** A code with how many enrollments it brought. */
    public record WithEnrollments(RecruitmentCode code, long enrollments) {
    }

    private final DatabaseClient db;

    public RecruitmentCodes(DatabaseClient db) {
        this.db = db;
    }

    /** Creates a code; {@code code} null draws one. A code the merchant has already is a conflict. */
    public Mono<RecruitmentCode> create(MerchantId merchant, String code, EnrollmentChannel channel, String campaignId, String name, Instant now) {
        if (code != null && !code.matches(CODE_PATTERN)) {
            throw new InvalidFieldException("code", "must be 3 to 40 letters, digits, '-' or '_' (leave it out to have one drawn)");
        }
        if (channel == null || !CODE_CHANNELS.contains(channel)) {
            throw new InvalidFieldException("channel", "must be the entry point the code is used at, one of " + CODE_CHANNELS);
        }
        if (campaignId != null && (campaignId.isBlank() || campaignId.length() > 200)) {
            throw new InvalidFieldException("campaignId", "must be 1 to 200 characters when given");
        }
        if (name != null && name.length() > 200) {
            throw new InvalidFieldException("name", "must be at most 200 characters");
        }
        boolean drawn = code == null;
        Mono<RecruitmentCode> insert = Mono.defer(() -> {
            RecruitmentCode created = new RecruitmentCode(drawn ? RandomCodes.draw(8) : code, channel, campaignId, name == null ? "" : name, now);
            return db.sql("""
                            insert into recruitment_code (merchant_id, code, channel, campaign_id, name, created_at)
                            values (:merchant, :code, :channel, :campaign, :name, :now)
                            on conflict do nothing""")
                    .bind("merchant", merchant.value()).bind("code", created.code()).bind("channel", channel.name())
                    .bind("campaign", Parameter.fromOrEmpty(campaignId, String.class)).bind("name", created.name())
                    .bind("now", OffsetDateTime.ofInstant(now, ZoneOffset.UTC))
                    .fetch().rowsUpdated()
                    .flatMap(rows -> rows == 1 ? Mono.just(created) : Mono.empty());
        });
        // A drawn code that is taken already (about one in a trillion) is drawn again.
        return (drawn ? insert.repeatWhenEmpty(3, repeats -> repeats) : insert)
                .switchIfEmpty(Mono.error(() -> new ResponseStatusException(HttpStatus.CONFLICT, "The merchant has a recruitment code '" + code + "' already.")));
    }

    public Mono<WithEnrollments> find(MerchantId merchant, String code) {
        return db.sql("""
                        select c.*, (select count(*) from member m where m.merchant_id = c.merchant_id and m.recruitment_code = c.code) as enrollments
                        from recruitment_code c where c.merchant_id = :merchant and c.code = :code""")
                .bind("merchant", merchant.value()).bind("code", code)
                .map((row, meta) -> new WithEnrollments(code(row), row.get("enrollments", Long.class)))
                .one();
    }

    /** The merchant's codes, newest first, each with its enrollments. */
    public Mono<Page<WithEnrollments>> list(MerchantId merchant, PageRequest page) {
        var after = page.after(2);
        return db.sql("""
                        select c.*, (select count(*) from member m where m.merchant_id = c.merchant_id and m.recruitment_code = c.code) as enrollments
                        from recruitment_code c
                        where c.merchant_id = :merchant and (c.created_at, c.code) < (:beforeAt, :beforeCode)
                        order by c.created_at desc, c.code desc limit :limit""")
                .bind("merchant", merchant.value())
                .bind("beforeAt", OffsetDateTime.ofInstant(after.map(cursor -> Instant.ofEpochMilli(cursor.longValue(0)))
                        .orElse(Instant.parse("9999-12-31T23:59:59Z")), ZoneOffset.UTC))
                .bind("beforeCode", after.map(cursor -> cursor.value(1)).orElse(""))
                .bind("limit", page.fetchSize())
                .map((row, meta) -> new WithEnrollments(code(row), row.get("enrollments", Long.class)))
                .all().collectList()
                .map(rows -> Page.of(rows, page, row -> Cursor.of(Long.toString(row.code().createdAt().toEpochMilli()), row.code().code())));
    }

    /** The codes of these (merchant, code) pairs that exist, keyed "merchant\u0000code", in one query for a batch. */
    public Mono<Map<String, RecruitmentCode>> resolve(List<String> merchants, List<String> codes) {
        if (codes.isEmpty()) {
            return Mono.just(Map.of());
        }
        return db.sql("""
                        select c.* from recruitment_code c
                        join unnest(cast(:merchants as text[]), cast(:codes as text[])) as u(merchant_id, code)
                          on c.merchant_id = u.merchant_id and c.code = u.code
                        where c.merchant_id = any(cast(:merchantIds as text[]))""")
                .bind("merchants", merchants.toArray(String[]::new)).bind("codes", codes.toArray(String[]::new))
                .bind("merchantIds", MerchantId.distinct(merchants.toArray(String[]::new)))
                .map((row, meta) -> Map.entry(key(row.get("merchant_id", String.class), row.get("code", String.class)), code(row)))
                .all()
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (first, second) -> first));
    }

    public static String key(String merchant, String code) {
        return merchant + '\u0000' + code;
    }

    private static RecruitmentCode code(io.r2dbc.spi.Readable row) {
        return new RecruitmentCode(row.get("code", String.class), EnrollmentChannel.valueOf(row.get("channel", String.class)),
                row.get("campaign_id", String.class), row.get("name", String.class), row.get("created_at", OffsetDateTime.class).toInstant());
    }
}
