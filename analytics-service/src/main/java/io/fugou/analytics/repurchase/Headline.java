package io.fugou.analytics.repurchase;

import io.fugou.analytics.state.MerchantFigures;
import io.fugou.events.lifecycle.LifecycleStage;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A merchant's headline figures, as the dashboard's live stream sends them: the repurchase rate over each rolling window and
 * its buyers per lifecycle stage.
 */
public record Headline(Map<String, RepurchaseFigure.Group> repurchase, Map<String, Long> stages, Instant updatedAt) {

    public static Headline of(MerchantFigures figures) {
        Map<String, RepurchaseFigure.Group> repurchase = new LinkedHashMap<>();
        for (Frequency.Window window : Frequency.Window.values()) {
            RepurchaseFigure figure = RepurchaseFigure.of(window.figure(), figures);
            repurchase.put(window.figure(), new RepurchaseFigure.Group(figure.buyers(), figure.repeatBuyers(), figure.repurchaseRate()));
        }
        return new Headline(repurchase, stages(figures), figures == null ? null : Instant.ofEpochMilli(figures.getUpdatedAt()));
    }

    /** Buyers now in each lifecycle stage, in the funnel's order. */
    public static Map<String, Long> stages(MerchantFigures figures) {
        Map<String, Long> now = figures == null ? Map.of() : figures.getFigures().getOrDefault(Contributions.NOW, Map.of());
        Map<String, Long> stages = new LinkedHashMap<>();
        for (LifecycleStage stage : LifecycleStage.values()) {
            stages.put(stage.name(), now.getOrDefault(Contributions.STAGE + stage.name(), 0L));
        }
        return stages;
    }
}
