package io.fugou.member.imports.web;

import io.fugou.member.imports.MemberImports;
import io.fugou.member.imports.MemberImports.Format;
import io.fugou.member.imports.MemberImports.Progress;
import io.fugou.platform.merchant.MerchantId;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Bulk import of a merchant's existing members: CSV ({@code text/csv}, a header row naming the columns) or JSON lines
 * ({@code application/x-ndjson}); columns {@code customerId} (required), {@code enrolledAt} (a date or an instant;
 * default now) and {@code tier} (default the first). Asked with {@code Accept: application/x-ndjson}, the answer streams
 * the progress after every 500 rows, the report last.
 */
@RestController
public class MemberImportController {

    private static final String CSV = "text/csv";

    private final MemberImports imports;

    public MemberImportController(MemberImports imports) {
        this.imports = imports;
    }

    @Operation(summary = "Imports members (CSV or JSON lines, thousands per request, streamed) and answers the report: imported, members "
            + "already, and each rejected row with its number, field and reason; rejected rows leave nothing behind. Sending it again imports nothing twice.")
    @PostMapping(path = "/api/v1/members/imports", consumes = {CSV, MediaType.APPLICATION_NDJSON_VALUE}, produces = MediaType.APPLICATION_JSON_VALUE)
    @io.swagger.v3.oas.annotations.parameters.RequestBody(content = {
            @Content(mediaType = CSV, examples = @ExampleObject(name = "CSV", value = """
                    customerId,enrolledAt,tier
                    buyer-1001,2023-05-01,gold
                    buyer-1002,2024-01-15T08:30:00Z,
                    buyer-1003,,""")),
            @Content(mediaType = MediaType.APPLICATION_NDJSON_VALUE, examples = @ExampleObject(name = "JSON lines", value = """
                    {"customerId": "buyer-1001", "enrolledAt": "2023-05-01", "tier": "gold"}
                    {"customerId": "buyer-1002"}"""))})
    public Mono<Progress> importMembers(MerchantId merchant, ServerHttpRequest request) {
        return imports.run(merchant, request.getBody(), format(request)).last();
    }

    @Operation(summary = "The same import, answering its progress after every 500 rows as JSON lines, the report last")
    @PostMapping(path = "/api/v1/members/imports", consumes = {CSV, MediaType.APPLICATION_NDJSON_VALUE}, produces = MediaType.APPLICATION_NDJSON_VALUE)
    public Flux<Progress> importMembersShowingProgress(MerchantId merchant, ServerHttpRequest request) {
        return imports.run(merchant, request.getBody(), format(request));
    }

    private static Format format(ServerHttpRequest request) {
        MediaType type = request.getHeaders().getContentType();
        return type != null && type.isCompatibleWith(MediaType.APPLICATION_NDJSON) ? Format.JSON_LINES : Format.CSV;
    }
}
