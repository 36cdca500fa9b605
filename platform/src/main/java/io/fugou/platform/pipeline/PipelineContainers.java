package io.fugou.platform.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;

/** Starts a listener container per pipeline with the context, after everything else, and stops them first. */
final class PipelineContainers implements SmartLifecycle {

    private final List<EventPipeline<?>> pipelines;
    private final Function<EventPipeline<?>, ConcurrentMessageListenerContainer<Object, Object>> containerFor;
    private final List<ConcurrentMessageListenerContainer<Object, Object>> running = new ArrayList<>();

    private final boolean autoStartup;
    private final Runnable beforeStart;

    PipelineContainers(List<EventPipeline<?>> pipelines, boolean autoStartup, Runnable beforeStart,
                       Function<EventPipeline<?>, ConcurrentMessageListenerContainer<Object, Object>> containerFor) {
        this.pipelines = pipelines;
        this.autoStartup = autoStartup;
        this.beforeStart = beforeStart;
        this.containerFor = containerFor;
    }

    @Override
    public synchronized void start() {
        beforeStart.run();
        for (EventPipeline<?> pipeline : pipelines) {
            ConcurrentMessageListenerContainer<Object, Object> container = containerFor.apply(pipeline);
            container.start();
            running.add(container);
        }
    }

    @Override
    public synchronized void stop() {
        running.forEach(ConcurrentMessageListenerContainer::stop);
        running.clear();
    }

    @Override
    public synchronized boolean isRunning() {
        return !running.isEmpty();
    }

    /** Off where {@code spring.kafka.listener.auto-startup=false}, like every other listener. */
    @Override
    public boolean isAutoStartup() {
        return autoStartup;
    }

    /** With spring-kafka's own containers: after the web server, before nothing else. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 100;
    }

    List<ConcurrentMessageListenerContainer<Object, Object>> containers() {
        return List.copyOf(running);
    }
}
