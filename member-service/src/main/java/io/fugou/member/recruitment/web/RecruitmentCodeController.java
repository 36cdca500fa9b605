package io.fugou.member.recruitment.web;

import io.fugou.events.common.EnrollmentChannel;
import io.fugou.member.recruitment.RecruitmentCode;
import io.fugou.member.recruitment.RecruitmentCodes;
import io.fugou.platform.merchant.MerchantId;
import io.fugou.platform.web.paging.Page;
import io.fugou.platform.web.paging.PageRequest;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Mono;

/** Recruitment codes (a poster, a QR code, a link per channel and campaign) and how many members each brought. */
@RestController
public class RecruitmentCodeController {

    /** {@code code}: the merchant's own (3 to 40 letters, digits, '-' or '_'), or left out to have one drawn. */
    public record NewCode(String code, EnrollmentChannel channel, String campaignId, String name) {
    }

    public record CodeResponse(String code, EnrollmentChannel channel, String campaignId, String name, Instant createdAt, long enrollments) {

        static CodeResponse of(RecruitmentCode code, long enrollments) {
            return new CodeResponse(code.code(), code.channel(), code.campaignId(), code.name(), code.createdAt(), enrollments);
        }
    }

    private final RecruitmentCodes codes;
    private final Clock clock;

    public RecruitmentCodeController(RecruitmentCodes codes, Clock clock) {
        this.codes = codes;
        this.clock = clock;
    }

    @Operation(summary = "Creates a recruitment code for an entry point (and a campaign): enrollments that carry it are attributed to it. "
            + "Codes are never changed, so printed posters keep counting.")
    @PostMapping("/api/v1/recruitment-codes")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(examples = {
            @ExampleObject(name = "a poster in the spring campaign",
                    value = "{\"code\": \"SPRING-POSTER\", \"channel\": \"POSTER\", \"campaignId\": \"spring-2027\", \"name\": \"Metro posters, line 2\"}"),
            @ExampleObject(name = "a drawn QR code", value = "{\"channel\": \"QR_CODE\", \"name\": \"Till QR, Nanjing Road store\"}")}))
    public Mono<ResponseEntity<CodeResponse>> create(MerchantId merchant, @RequestBody NewCode request) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        return codes.create(merchant, request.code(), request.channel(), request.campaignId(), request.name(), now)
                .map(code -> ResponseEntity.created(URI.create("/api/v1/recruitment-codes/" + code.code())).body(CodeResponse.of(code, 0)));
    }

    @Operation(summary = "One recruitment code with the enrollments it brought")
    @GetMapping("/api/v1/recruitment-codes/{code}")
    public Mono<CodeResponse> code(MerchantId merchant, @io.swagger.v3.oas.annotations.Parameter(example = "SPRING-POSTER") @PathVariable String code) {
        return codes.find(merchant, code).map(found -> CodeResponse.of(found.code(), found.enrollments()))
                .switchIfEmpty(Mono.error(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "No recruitment code " + code + ".")));
    }

    @Operation(summary = "The merchant's recruitment codes, newest first, each with the enrollments it brought; pass nextCursor back as cursor")
    @GetMapping("/api/v1/recruitment-codes")
    public Mono<Page<CodeResponse>> codes(MerchantId merchant, PageRequest page) {
        return codes.list(merchant, page).map(found -> found.map(row -> CodeResponse.of(row.code(), row.enrollments())));
    }
}
