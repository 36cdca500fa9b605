package io.fugou.member.program.web;

import io.fugou.member.program.MembershipProgram;
import io.fugou.member.program.ProgramVersion;
import io.fugou.member.program.Programs;
import io.fugou.platform.merchant.MerchantId;
import io.fugou.platform.web.InvalidFieldException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** A merchant's membership programme (time zone, tier ladder, auto-enrollment): the version in force, every version, adding one. */
@RestController
@RequestMapping("/api/v1/membership-program")
public class ProgramController {

    /** A new version; {@code effectiveFrom} defaults to now and may not be in the past. */
    public record NewVersion(Instant effectiveFrom, MembershipProgram program) {
    }

    public record VersionResponse(int version, Instant effectiveFrom, MembershipProgram program) {
        static VersionResponse of(ProgramVersion version) {
            return new VersionResponse(version.version(), version.version() == 0 ? null : version.effectiveFrom(), version.program());
        }
    }

    private final Programs programs;
    private final Clock clock;

    public ProgramController(Programs programs, Clock clock) {
        this.programs = programs;
        this.clock = clock;
    }

    @Operation(summary = "The programme in force now (version 0: the defaults, when the merchant has configured none)")
    @GetMapping
    public Mono<VersionResponse> current(MerchantId merchant) {
        return programs.inForce(merchant, clock.instant()).map(VersionResponse::of);
    }

    @Operation(summary = "Every version of the merchant's programme, the latest to come into force first")
    @GetMapping("/versions")
    public Flux<VersionResponse> versions(MerchantId merchant) {
        return programs.versions(merchant).map(VersionResponse::of);
    }

    @Operation(summary = "Adds a version of the programme, in force from effectiveFrom (now when left out; never in the past). "
            + "An order enrolls its buyer by the version in force at the order's own time.")
    @PostMapping("/versions")
    @ResponseStatus(HttpStatus.CREATED)
    @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(examples = @ExampleObject(name = "three tiers, members by spending 99 yuan",
            value = """
                    {"effectiveFrom": "2026-12-01T00:00:00+08:00",
                     "program": {"timeZone": "Asia/Shanghai",
                                 "tiers": [{"code": "regular", "name": "普通会员", "threshold": 0},
                                           {"code": "silver", "name": "银卡会员", "threshold": 1000},
                                           {"code": "gold", "name": "金卡会员", "threshold": 5000}],
                                 "autoEnrollment": {"mode": "MINIMUM_SPEND", "minimumSpend": [{"currency": "CNY", "amountMinor": 9900}]},
                                 "growth": {"spendRates": [{"currency": "CNY", "growth": 1, "per": 100}], "fromPoints": true, "windowDays": 365},
                                 "qualificationPeriod": "QUARTER"}}""")))
    public Mono<VersionResponse> add(MerchantId merchant, @RequestBody NewVersion request) {
        if (request.program() == null) {
            throw new InvalidFieldException("program", "must give the programme (an empty object means the defaults)");
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        Instant from = request.effectiveFrom() == null ? now : request.effectiveFrom().truncatedTo(ChronoUnit.MILLIS);
        if (from.isBefore(now.minusSeconds(60))) {
            throw new InvalidFieldException("effectiveFrom", "must not be in the past: enrollments already made keep the programme that made them");
        }
        MembershipProgram program;
        try {
            program = request.program().validated();
        } catch (InvalidFieldException e) {
            throw new InvalidFieldException("program." + e.field(), e.getMessage());
        }
        return programs.add(merchant, program, from, now).map(VersionResponse::of)
                .onErrorMap(DataIntegrityViolationException.class, e -> new ResponseStatusException(HttpStatus.CONFLICT,
                        "Another version was added at the same moment, or one already starts at " + from + "; look at the versions and send it again."));
    }
}
