package io.fugou.campaign.contact.web;

import io.fugou.campaign.contact.ContactPolicies;
import io.fugou.campaign.contact.ContactPolicy;
import io.fugou.platform.merchant.MerchantId;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import java.time.Clock;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/** The one cap on contacting members that every campaign of the merchant shares. */
@RestController
public class ContactPolicyController {

    private final ContactPolicies policies;
    private final Clock clock;

    public ContactPolicyController(ContactPolicies policies, Clock clock) {
        this.policies = policies;
        this.clock = clock;
    }

    @Operation(summary = "The merchant's contact policy (no limits until one is set)")
    @GetMapping("/api/v1/contact-policy")
    public Mono<ContactPolicy> policy(MerchantId merchant) {
        return policies.of(merchant);
    }

    @Operation(summary = "Sets the contact policy: at most maxContacts per windowHours, minGapMinutes apart, quiet hours delaying messages to their end")
    @PutMapping("/api/v1/contact-policy")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(examples = @ExampleObject(name = "two a week, quiet at night",
            value = "{\"maxContacts\": 2, \"windowHours\": 168, \"minGapMinutes\": 720, \"quietFrom\": \"22:00\", \"quietTo\": \"08:00\", "
                    + "\"timeZone\": \"Asia/Shanghai\"}")))
    public Mono<ContactPolicy> set(MerchantId merchant, @RequestBody ContactPolicy policy) {
        return policies.save(merchant, policy.validated(), clock.instant());
    }
}
