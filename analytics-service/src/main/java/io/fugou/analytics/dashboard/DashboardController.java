package io.fugou.analytics.dashboard;

import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The dashboard page (its script and styles are static resources beside it). The page holds no data: it signs in with a
 * merchant's token and reads the figures through the API, so it is public.
 */
@RestController
public class DashboardController {

    private static final Resource PAGE = new ClassPathResource("static/dashboard/index.html");

    @GetMapping({"/dashboard", "/dashboard/"})
    public ResponseEntity<Resource> dashboard() {
        return ResponseEntity.ok().contentType(MediaType.TEXT_HTML).body(PAGE);
    }
}
