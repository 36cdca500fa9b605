package io.fugou.platform.unruled;

import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.RestController;

/** A route someone forgot to give a scope rule (outside the test application's scanned package on purpose). */
@RestController
public class UnruledController {

    @DeleteMapping("/api/v1/widgets/{id}")
    void delete() {
    }
}
