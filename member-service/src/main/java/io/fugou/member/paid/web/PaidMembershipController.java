package io.fugou.member.paid.web;

import io.fugou.events.MemberKey;
import io.fugou.events.common.Money;
import io.fugou.member.enrollment.Members;
import io.fugou.member.paid.PaidMemberships;
import io.fugou.member.paid.PaidMemberships.Membership;
import io.fugou.member.program.MembershipProgram;
import io.fugou.member.program.Programs;
import io.fugou.platform.merchant.MerchantId;
import io.fugou.platform.web.InvalidFieldException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.reactive.TransactionalOperator;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** A member's paid memberships, and starting or renewing one without an order (a gift, a sale the shop took elsewhere). */
@RestController
public class PaidMembershipController {

    /** {@code purchaseId}: the shop's id of the sale, so a retry starts nothing twice; {@code terms} defaults to 1. */
    public record PurchaseRequest(String planId, String purchaseId, Integer terms) {
    }

    public record MembershipResponse(String planId, Instant startedAt, Instant endsAt, Instant endedAt, String endReason, boolean active) {

        public static MembershipResponse of(Membership membership, Instant now) {
            return new MembershipResponse(membership.planId(), membership.startedAt(), membership.endsAt(), membership.endedAt(),
                    membership.endReason(), membership.activeAt(now));
        }
    }

    private final PaidMemberships paidMemberships;
    private final Members members;
    private final Programs programs;
    private final TransactionalOperator transactional;
    private final Clock clock;

    public PaidMembershipController(PaidMemberships paidMemberships, Members members, Programs programs, ReactiveTransactionManager transactions,
                                    Clock clock) {
        this.paidMemberships = paidMemberships;
        this.members = members;
        this.programs = programs;
        this.transactional = TransactionalOperator.create(transactions);
        this.clock = clock;
    }

    @Operation(summary = "A member's paid memberships, current and past")
    @GetMapping("/api/v1/members/{customerId}/paid-memberships")
    public Flux<MembershipResponse> memberships(MerchantId merchant, @io.swagger.v3.oas.annotations.Parameter(example = "buyer-1001") @PathVariable String customerId) {
        Instant now = clock.instant();
        return members.existing(merchant, customerId)
                .thenMany(paidMemberships.of(merchant, customerId)).map(membership -> MembershipResponse.of(membership, now));
    }

    @Operation(summary = "Starts a plan for a member now, or extends it from its end while it runs (PaidMembershipStarted or Renewed): 201; "
            + "the same purchaseId again changes nothing (200), and used for another member or plan is a 409")
    @PostMapping("/api/v1/members/{customerId}/paid-memberships")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(examples = @ExampleObject(name = "a year of PLUS",
            value = "{\"planId\": \"plus-annual\", \"purchaseId\": \"gift-2027-0042\"}")))
    public Mono<ResponseEntity<MembershipResponse>> purchase(MerchantId merchant, @io.swagger.v3.oas.annotations.Parameter(example = "buyer-1001") @PathVariable String customerId, @RequestBody PurchaseRequest request) {
        if (request.purchaseId() == null || request.purchaseId().isBlank() || request.purchaseId().length() > 200) {
            throw new InvalidFieldException("purchaseId", "must be the shop's id of the sale (1 to 200 characters), so a retry starts nothing twice");
        }
        int terms = request.terms() == null ? 1 : request.terms();
        if (terms < 1 || terms > 10) {
            throw new InvalidFieldException("terms", "must be 1 to 10");
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        return programs.inForce(merchant, now).flatMap(version -> {
            MembershipProgram program = version.program();
            MembershipProgram.PaidPlan plan = request.planId() == null ? null : program.plan(request.planId());
            if (plan == null) {
                return Mono.error(new InvalidFieldException("planId", "'" + request.planId() + "' is no paid plan of the merchant's programme; its plans are "
                        + program.paidPlans().stream().map(MembershipProgram.PaidPlan::planId).toList()));
            }
            Money price = Money.newBuilder().setCurrency(plan.price().currency()).setAmountMinor(plan.price().amountMinor() * terms).build();
            String purchaseId = "api/" + request.purchaseId();
            return members.existing(merchant, customerId)
                    .then(paidMemberships.purchase(List.of(new PaidMemberships.Purchase(new MemberKey(merchant.value(), customerId), plan.planId(),
                            plan.termMonths(), purchaseId, null, terms, price, now, program.zone()))))
                    .flatMap(applied -> applied.isEmpty()
                            // Sent before: the same member and plan is a replay; anything else reuses the shop's id by mistake.
                            ? paidMemberships.purchaseOf(merchant, purchaseId).filter(earlier -> earlier.customerId().equals(customerId)
                                            && earlier.planId().equals(plan.planId()))
                                    .switchIfEmpty(Mono.error(() -> new ResponseStatusException(HttpStatus.CONFLICT,
                                            "purchaseId " + request.purchaseId() + " was used for another member or plan.")))
                                    .thenReturn(HttpStatus.OK)
                            : Mono.just(HttpStatus.CREATED))
                    .flatMap(status -> paidMemberships.of(merchant, customerId)
                            .filter(membership -> membership.planId().equals(plan.planId()))
                            .next()
                            .map(membership -> ResponseEntity.status(status).body(MembershipResponse.of(membership, now))));
        }).as(transactional::transactional);
    }
}
