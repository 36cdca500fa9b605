package io.fugou.analytics.repurchase;

import io.fugou.analytics.state.FigureChange;
import io.fugou.analytics.state.FigureChanges;
import io.fugou.analytics.state.MerchantFigures;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/** A merchant's buyers per figure and frequency bucket (keyed merchantId): the buyers' moves, summed. */
final class MerchantFiguresProcessor extends ContextualProcessor<String, FigureChanges, Void, Void> {

    static final String FIGURES_STORE = "merchant-figures";

    private KeyValueStore<String, MerchantFigures> figures;

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        super.init(context);
        figures = context.getStateStore(FIGURES_STORE);
    }

    @Override
    public void process(Record<String, FigureChanges> record) {
        FigureChanges moved = record.value();
        MerchantFigures merchant = figures.get(moved.getMerchantId());
        Map<String, List<Long>> buckets = merchant == null ? new HashMap<>() : new HashMap<>(merchant.getBuckets());
        for (FigureChange change : moved.getChanges()) {
            List<Long> counts = new ArrayList<>(buckets.getOrDefault(change.getFigure(), Collections.nCopies(Frequency.LABELS.size(), 0L)));
            if (change.getFromBucket() > 0) {
                counts.set(change.getFromBucket() - 1, counts.get(change.getFromBucket() - 1) - 1);
            }
            if (change.getToBucket() > 0) {
                counts.set(change.getToBucket() - 1, counts.get(change.getToBucket() - 1) + 1);
            }
            buckets.put(change.getFigure(), counts);
        }
        figures.put(moved.getMerchantId(), new MerchantFigures(moved.getMerchantId(), buckets, context().currentSystemTimeMs()));
    }
}
