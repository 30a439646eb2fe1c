package io.mobl.ops.metrics;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ExecutorServiceMetrics;
import io.mobl.protocol.InvalidInputException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;
import org.apache.pekko.dispatch.DispatcherPrerequisites;
import org.apache.pekko.dispatch.ExecutorServiceConfigurator;
import org.apache.pekko.dispatch.ExecutorServiceFactory;
import org.apache.pekko.dispatch.ForkJoinExecutorConfigurator;
import org.apache.pekko.dispatch.ThreadPoolExecutorConfigurator;

/**
 * A Pekko executor that is the dispatcher's own (thread pool or fork-join, as configured) with Micrometer's
 * executor gauges bound to it, tagged {@code name} = the dispatcher's id: {@code executor_active_threads},
 * {@code executor_queued_tasks}, {@code executor_pool_size_threads}, {@code executor_completed_tasks_total}
 * (thread pools), {@code executor_running_threads}, {@code executor_steals_tasks_total} (fork-join). Pekko
 * exports no dispatcher metrics of its own; the pool it runs on says how busy the dispatcher is and how much
 * work waits for it. The tasks are not wrapped, so the dispatcher runs exactly as before.
 *
 * <p>Pekko creates this class by name from a dispatcher's {@code executor} key, so it reaches the registry
 * through Micrometer's global one: add the Prometheus registry there ({@code Metrics.addRegistry}) before the
 * actor system starts. Use {@link #meter(Config, String...)} to switch dispatchers over.
 */
public final class MeteredExecutor extends ExecutorServiceConfigurator {
    /** The key, inside a dispatcher's block, that keeps the executor it had before metering. */
    public static final String METERED = "metered-executor";

    private final ExecutorServiceConfigurator delegate;

    public MeteredExecutor(Config config, DispatcherPrerequisites prerequisites) {
        super(config, prerequisites);
        String kind = config.getString(METERED);
        if (kind.equals("default-executor")) kind = config.getString("default-executor.fallback");
        this.delegate = switch (kind) {
            case "thread-pool-executor" -> new ThreadPoolExecutorConfigurator(config.getConfig(kind), prerequisites);
            case "fork-join-executor" -> new ForkJoinExecutorConfigurator(config.getConfig(kind), prerequisites);
            default -> throw new InvalidInputException(METERED, kind,
                    "thread-pool-executor, fork-join-executor or default-executor (a dispatcher mobl can meter)");
        };
    }

    /**
     * The configuration with each named dispatcher (a path such as {@code pekko.actor.default-dispatcher})
     * run by a metered executor of its former kind.
     */
    public static Config meter(Config config, String... dispatchers) {
        Config metered = config;
        for (String dispatcher : dispatchers) {
            if (!config.hasPath(dispatcher + ".executor")) {
                throw new InvalidInputException("dispatcher", dispatcher, "a dispatcher block with an executor key");
            }
            String kind = config.getString(dispatcher + ".executor");
            if (kind.equals(MeteredExecutor.class.getName())) continue;
            metered = metered.withValue(dispatcher + "." + METERED, ConfigValueFactory.fromAnyRef(kind))
                    .withValue(dispatcher + ".executor", ConfigValueFactory.fromAnyRef(MeteredExecutor.class.getName()));
        }
        return metered;
    }

    @Override
    public ExecutorServiceFactory createExecutorServiceFactory(String id, ThreadFactory threadFactory) {
        ExecutorServiceFactory factory = delegate.createExecutorServiceFactory(id, threadFactory);
        return new ExecutorServiceFactory() {
            @Override
            public ExecutorService createExecutorService() {
                ExecutorService pool = factory.createExecutorService();
                MeterRegistry registry = Metrics.globalRegistry;
                // a dispatcher of the same id in an earlier actor system: its meters now read this pool
                registry.getMeters().stream().filter(m -> m.getId().getName().startsWith("executor.")
                        && id.equals(m.getId().getTag("name"))).toList().forEach(registry::remove);
                new ExecutorServiceMetrics(pool, id, Tags.empty()).bindTo(registry);
                return pool;
            }
        };
    }
}
