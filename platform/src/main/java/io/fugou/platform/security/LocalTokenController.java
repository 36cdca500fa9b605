package io.fugou.platform.security;

import io.fugou.platform.merchant.MerchantId;
import io.fugou.platform.web.InvalidFieldException;
import io.swagger.v3.oas.annotations.Operation;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** Only on the embedded default (no issuer configured): mints a token for trying the API. */
@RestController
public class LocalTokenController {

    public static final String PATH = "/local/tokens";

    private final LocalTokens tokens;

    public LocalTokenController(LocalTokens tokens) {
        this.tokens = tokens;
    }

    public record TokenRequest(@NotBlank String merchantId, List<String> scopes, @Min(1) @Max(1440) Integer validMinutes) {
    }

    public record TokenResponse(String token, String tokenType, Instant expiresAt, String merchantId, List<String> scopes) {
    }

    @Operation(summary = "Mint a local bearer token (embedded default only, never in production)")
    @PostMapping(PATH)
    public TokenResponse mint(@Valid @RequestBody TokenRequest request) {
        if (!MerchantId.isValid(request.merchantId())) {
            throw new InvalidFieldException("merchantId", "must be 1-64 letters, digits, '_', '.' or '-'");
        }
        List<String> scopes = request.scopes() == null ? List.of() : request.scopes();
        LocalTokens.IssuedToken issued = tokens.issue(new MerchantId(request.merchantId()), scopes,
                Duration.ofMinutes(request.validMinutes() == null ? 60 : request.validMinutes()));
        return new TokenResponse(issued.token(), "Bearer", issued.expiresAt(), request.merchantId(), scopes);
    }
}
