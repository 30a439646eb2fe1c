package io.mobl.ops.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ExecutorServiceMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.IterateTelemetry;
import io.mobl.protocol.OracleCalls;
import io.mobl.protocol.ParetoPoint;
import io.mobl.protocol.PreferenceKey;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;
import java.util.regex.Pattern;

/**
 * mobl's Micrometer meters, bound once to a {@link MeterRegistry}.
 *
 * <p>Every meter is looked up the first time its tag combination is seen and kept; the hot methods
 * ({@link #onIteration}, {@link #onBatchesConsumed}, …) then only touch fields. Call them once per outer
 * iteration or per batch — never per inner step or per element.
 *
 * <p>Meter names, as the Prometheus registry renders them (the Grafana dashboard {@code ops/grafana/mobl.json}
 * uses exactly these):
 * <table>
 * <caption>meters</caption>
 * <tr><th>Micrometer</th><th>Prometheus</th><th>tags</th></tr>
 * <tr><td>{@code mobl.iterations} counter</td><td>{@code mobl_iterations_total}</td><td>run, preference</td></tr>
 * <tr><td>{@code mobl.iteration.duration} timer, histogram</td>
 *     <td>{@code mobl_iteration_duration_seconds_{bucket,sum,count,max}}</td><td>run, phase</td></tr>
 * <tr><td>{@code mobl.objective} gauge, φ̂_s(x_k)</td><td>{@code mobl_objective}</td>
 *     <td>run, preference, objective (1..S)</td></tr>
 * <tr><td>{@code mobl.stationarity.gap} gauge</td><td>{@code mobl_stationarity_gap}</td><td>run, preference</td></tr>
 * <tr><td>{@code mobl.step.norm} gauge, ‖x_{k+1} − x_k‖</td><td>{@code mobl_step_norm}</td><td>run, preference</td></tr>
 * <tr><td>{@code mobl.oracle.calls} function counter (cumulative, as in telemetry)</td>
 *     <td>{@code mobl_oracle_calls_total}</td><td>run, preference, oracle = Gc(f) | Gc(g) | JV(g) | HV(g)</td></tr>
 * <tr><td>{@code mobl.pareto.points} counter</td><td>{@code mobl_pareto_points_total}</td><td>run</td></tr>
 * <tr><td>{@code mobl.kkt.residual} gauge, for the algorithms that solve a constrained subproblem and report
 *     its KKT residual ({@link #onKktResidual})</td><td>{@code mobl_kkt_residual}</td><td>run, preference</td></tr>
 * <tr><td>{@code mobl.batches.consumed} function counter</td><td>{@code mobl_batches_consumed_total}</td>
 *     <td>source (e.g. the topic)</td></tr>
 * <tr><td>{@code mobl.kafka.lag} gauge, in records (no base unit, so no name suffix)</td><td>{@code mobl_kafka_lag}</td><td>topic, partition</td></tr>
 * <tr><td>{@code mobl.dlq.records} function counter</td><td>{@code mobl_dlq_records_total}</td><td>topic (the source topic)</td></tr>
 * <tr><td>{@code mobl.cluster.members} gauge, the members a cluster node sees ({@link #watchClusterMembers})</td>
 *     <td>{@code mobl_cluster_members}</td><td>status = up | unreachable</td></tr>
 * </table>
 * plus Micrometer's JVM and processor meters ({@code jvm_memory_used_bytes}, {@code jvm_gc_pause_seconds},
 * {@code jvm_threads_live_threads}, {@code process_cpu_usage}, {@code system_cpu_usage}, …) and, for a Pekko
 * dispatcher run by {@link MeteredExecutor}, Micrometer's executor meters tagged {@code name} = the dispatcher
 * ({@code executor_active_threads}, {@code executor_queued_tasks}, {@code executor_completed_tasks_total}, …).
 *
 * <p>Streams feed the batch, lag and DLQ meters either by pushing ({@link #onBatchesConsumed},
 * {@link #setLag}, {@link #onDeadLetter}) or by handing over the counters they keep anyway
 * ({@link #watchBatchesConsumed}, {@link #watchLag}, {@link #watchDeadLetters}, e.g.
 * {@code watchDeadLetters(topic, deadLetters::count)}); use one way per tag, as the first registration of a
 * tag combination is the one that stays.
 *
 * <p>Thread-safe: several coordinators (one per preference) may report at once.
 */
public final class MoblMetrics implements AutoCloseable {

    /** Oracle tag values, in the papers' notation (Definition 4.2). */
    public static final String UPPER_GRADIENTS = "Gc(f)";
    public static final String LOWER_GRADIENTS = "Gc(g)";
    public static final String JACOBIAN_VECTOR_PRODUCTS = "JV(g)";
    public static final String HESSIAN_VECTOR_PRODUCTS = "HV(g)";

    private static final Pattern METER_NAME = Pattern.compile("mobl(\\.[a-z][a-z0-9_]*)+");
    private static final Duration SHORTEST_PHASE = Duration.ofNanos(10_000);
    private static final Duration LONGEST_PHASE = Duration.ofMinutes(10);

    private final MeterRegistry registry;
    private final JvmGcMetrics gcMetrics;
    private final Map<String, AtomicLong> batchesConsumed = new ConcurrentHashMap<>();
    private final Map<String, PreferenceMeters> preferences = new ConcurrentHashMap<>();
    private final Map<String, Timer> phaseTimers = new ConcurrentHashMap<>();
    private final Map<String, Counter> paretoPoints = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> deadLetters = new ConcurrentHashMap<>();
    private final Map<String, Reading> kktResiduals = new ConcurrentHashMap<>();
    /** Suppliers handed to function counters, which hold their state only weakly: a lambda would be collected. */
    private final Queue<LongSupplier> watched = new ConcurrentLinkedQueue<>();
    private final Map<String, AtomicLong> lags = new ConcurrentHashMap<>();

    private MoblMetrics(MeterRegistry registry) {
        this.registry = registry;
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        this.gcMetrics = new JvmGcMetrics();
        gcMetrics.bindTo(registry);
    }

    /**
     * Binds mobl's meters and the JVM meters to {@code registry}. Bind once per registry and share the
     * result; {@link #close()} releases the GC listeners.
     */
    public static MoblMetrics bindTo(MeterRegistry registry) {
        return new MoblMetrics(Objects.requireNonNull(registry, "registry"));
    }

    /** The registry the meters live in (for {@link MetricsServer} or further binders). */
    public MeterRegistry registry() {
        return registry;
    }

    /**
     * Records one finished upper-level iteration: counts it, times each phase of
     * {@link IterateTelemetry#phaseNanos()}, and sets the objective, stationarity, step-norm and oracle-call
     * meters of its run/preference, and the KKT residual when the algorithm reports one
     * ({@link IterateTelemetry#kktResidual()}, see {@link #onKktResidual}).
     *
     * @throws InvalidInputException if a phase has a negative or missing duration
     */
    public void onIteration(IterateTelemetry telemetry) {
        Objects.requireNonNull(telemetry, "telemetry");
        for (Map.Entry<String, Long> phase : telemetry.phaseNanos().entrySet()) {
            Long nanos = phase.getValue();
            if (nanos == null || nanos < 0) {
                throw new InvalidInputException("phaseNanos[" + phase.getKey() + "]", nanos,
                        "a duration in nanoseconds >= 0");
            }
        }
        PreferenceMeters meters = preferences.computeIfAbsent(telemetry.key(),
                key -> new PreferenceMeters(telemetry.run(), telemetry.preference()));
        meters.record(telemetry);
        for (Map.Entry<String, Long> phase : telemetry.phaseNanos().entrySet()) {
            phaseTimer(telemetry.run(), phase.getKey()).record(Duration.ofNanos(phase.getValue()));
        }
        if (telemetry.hasKktResidual() && Double.isFinite(telemetry.kktResidual())) {
            onKktResidual(telemetry.run(), telemetry.preference(), telemetry.kktResidual());
        }
    }

    /** Counts one Pareto point emitted by {@code point.run()}. */
    public void onParetoPoint(ParetoPoint point) {
        Objects.requireNonNull(point, "point");
        paretoPoints.computeIfAbsent(point.run(), run -> Counter.builder("mobl.pareto.points")
                .description("Pareto points emitted (one per preference that finished)")
                .tag("run", run)
                .register(registry)).increment();
    }

    /**
     * Records the KKT residual of the constrained subproblem an algorithm solved at this iterate (for those
     * that report one, e.g. the weight QP on the simplex).
     *
     * @throws InvalidInputException if the residual is negative or not finite
     */
    public void onKktResidual(String run, double[] preference, double residual) {
        requireText("run", run);
        if (!(residual >= 0) || !Double.isFinite(residual)) {
            throw new InvalidInputException("kktResidual", residual, "a finite number >= 0");
        }
        String label = PreferenceKey.label(preference);
        kktResiduals.computeIfAbsent(run + '\u0000' + label, key -> {
            Reading reading = new Reading();
            Gauge.builder("mobl.kkt.residual", reading, Reading::value)
                    .description("KKT residual of the constrained subproblem solved at the current iterate")
                    .tags("run", run, "preference", label)
                    .register(registry);
            return reading;
        }).set(residual);
    }

    /**
     * Counts minibatches consumed from {@code source} — call once per batch or once per group of batches,
     * with their number.
     *
     * @throws InvalidInputException if {@code source} is blank or {@code count} negative
     */
    public void onBatchesConsumed(String source, long count) {
        requireText("source", source);
        if (count < 0) throw new InvalidInputException("batches consumed", count, "a count >= 0");
        batchesConsumed.computeIfAbsent(source, name -> {
            AtomicLong total = new AtomicLong();
            watchBatchesConsumed(name, total::get);
            return total;
        }).addAndGet(count);
    }

    /** Publishes a batch count that a consumer keeps itself (e.g. {@code puller::delivered}) as {@code mobl.batches.consumed}. */
    public void watchBatchesConsumed(String source, LongSupplier consumed) {
        watchCount("mobl.batches.consumed", "Minibatches taken from Kafka and used by an iteration",
                "source", source, consumed);
    }

    /**
     * Publishes how many members a cluster node sees with {@code status}, read at each scrape from {@code count}.
     *
     * @param status {@code up} (members with status Up) or {@code unreachable} (members this node cannot reach)
     */
    public void watchClusterMembers(String status, LongSupplier count) {
        if (!status.equals("up") && !status.equals("unreachable")) {
            throw new InvalidInputException("status", status, "up or unreachable");
        }
        Objects.requireNonNull(count, "count");
        Gauge.builder("mobl.cluster.members", count, supplier -> supplier.getAsLong())
                .description("Members of the Pekko Cluster this node sees, by status")
                .tags("status", status)
                .strongReference(true)
                .register(registry);
    }

    /** Publishes the lag of one topic partition, read at each scrape from {@code lag}. */
    public void watchLag(String topic, int partition, LongSupplier lag) {
        requireText("topic", topic);
        if (partition < 0) throw new InvalidInputException("partition", partition, "a partition number >= 0");
        Objects.requireNonNull(lag, "lag");
        Gauge.builder("mobl.kafka.lag", lag, supplier -> supplier.getAsLong())
                .description("Records not yet consumed by mobl (log-end offset − committed offset)")
                .tags("topic", topic, "partition", Integer.toString(partition))
                .strongReference(true)
                .register(registry);
    }

    /** Publishes a dead-letter count kept elsewhere (e.g. {@code deadLetters::count}) for records from {@code sourceTopic}. */
    public void watchDeadLetters(String sourceTopic, LongSupplier count) {
        watchCount("mobl.dlq.records", "Records routed to the dead-letter topic because they failed to decode",
                "topic", sourceTopic, count);
    }

    private void watchCount(String name, String description, String tag, String value, LongSupplier count) {
        requireText(tag, value);
        watched.add(Objects.requireNonNull(count, "count"));
        FunctionCounter.builder(name, count, LongSupplier::getAsLong)
                .description(description)
                .tag(tag, value)
                .register(registry);
    }

    /**
     * Sets the consumer lag of one topic partition: log-end offset minus committed offset, in records.
     *
     * @throws InvalidInputException if the topic is blank, the partition or the lag negative
     */
    public void setLag(String topic, int partition, long lag) {
        if (lag < 0) throw new InvalidInputException("lag", lag, "a record count >= 0");
        lags.computeIfAbsent(topic + "-" + partition, key -> {
            AtomicLong reading = new AtomicLong();
            watchLag(topic, partition, reading::get);
            return reading;
        }).set(lag);
    }

    /**
     * Counts one record sent to the dead-letter topic.
     *
     * @param sourceTopic the topic the undecodable record came from
     */
    public void onDeadLetter(String sourceTopic) {
        requireText("sourceTopic", sourceTopic);
        deadLetters.computeIfAbsent(sourceTopic, topic -> {
            AtomicLong count = new AtomicLong();
            watchDeadLetters(topic, count::get);
            return count;
        }).incrementAndGet();
    }

    /**
     * Registers a gauge that others own, e.g. the depth of the math dispatcher's queue. The state object is
     * held strongly, so the gauge lives as long as the registry.
     *
     * @param name a dotted name under {@code mobl.}, e.g. {@code mobl.dispatcher.queued}
     * @throws InvalidInputException if the name is not of that form
     */
    public <T> void registerGauge(String name, String description, Iterable<Tag> tags, T state,
                                  ToDoubleFunction<T> value) {
        if (name == null || !METER_NAME.matcher(name).matches()) {
            throw new InvalidInputException("gauge name", name, "a dotted lower-case name under mobl., e.g. mobl.dispatcher.queued");
        }
        Gauge.builder(name, Objects.requireNonNull(state, "state"), Objects.requireNonNull(value, "value"))
                .description(description)
                .tags(tags == null ? Tags.empty() : tags)
                .strongReference(true)
                .register(registry);
    }

    /**
     * Wraps a thread pool so that its size, active threads, queue and task times are published as
     * Micrometer's {@code executor.*} meters tagged {@code name = poolName}. Submit work to the returned pool;
     * shutting it down removes those meters again.
     */
    public ExecutorService monitor(ExecutorService pool, String poolName) {
        requireText("poolName", poolName);
        return ExecutorServiceMetrics.monitor(registry, Objects.requireNonNull(pool, "pool"), poolName,
                Tags.empty());
    }

    /** Stops listening to GC notifications. The meters stay in the registry. */
    @Override
    public void close() {
        gcMetrics.close();
    }

    private Timer phaseTimer(String run, String phase) {
        return phaseTimers.computeIfAbsent(run + '\u0000' + phase, key -> Timer.builder("mobl.iteration.duration")
                .description("Wall time of one phase of an upper-level iteration")
                .tags("run", run, "phase", phase)
                .publishPercentileHistogram()
                .minimumExpectedValue(SHORTEST_PHASE)
                .maximumExpectedValue(LONGEST_PHASE)
                .register(registry));
    }

    private static void requireText(String field, String value) {
        if (value == null || value.isBlank()) throw new InvalidInputException(field, value, "a non-blank name");
    }

    /** A double a gauge reads; written by one reporter, read by the scraper. */
    private static final class Reading {
        private volatile double value = Double.NaN;

        double value() { return value; }

        void set(double value) { this.value = value; }
    }

    /** The meters of one run/preference, created on its first iteration. */
    private final class PreferenceMeters {
        private final Counter iterations;
        private final Reading[] objectives;
        private final Reading stationarity = new Reading();
        private final Reading stepNorm = new Reading();
        private volatile OracleCalls oracleCalls = OracleCalls.NONE;

        PreferenceMeters(String run, double[] preference) {
            Tags tags = Tags.of("run", run, "preference", PreferenceKey.label(preference));
            iterations = Counter.builder("mobl.iterations")
                    .description("Upper-level iterations completed")
                    .tags(tags)
                    .register(registry);
            objectives = new Reading[preference.length];
            for (int s = 0; s < objectives.length; s++) {
                objectives[s] = new Reading();
                Gauge.builder("mobl.objective", objectives[s], Reading::value)
                        .description("Upper-level objective φ_s at the current iterate")
                        .tags(tags.and("objective", Integer.toString(s + 1)))
                        .register(registry);
            }
            Gauge.builder("mobl.stationarity.gap", stationarity, Reading::value)
                    .description("Pareto-stationarity gap min over λ in the simplex of ‖∇Φ(x)λ‖²")
                    .tags(tags)
                    .register(registry);
            Gauge.builder("mobl.step.norm", stepNorm, Reading::value)
                    .description("Length of the last upper-level step ‖x_{k+1} − x_k‖")
                    .tags(tags)
                    .register(registry);
            oracleCounter(tags, UPPER_GRADIENTS, OracleCalls::upperGradients);
            oracleCounter(tags, LOWER_GRADIENTS, OracleCalls::lowerGradients);
            oracleCounter(tags, JACOBIAN_VECTOR_PRODUCTS, OracleCalls::jacobianVectorProducts);
            oracleCounter(tags, HESSIAN_VECTOR_PRODUCTS, OracleCalls::hessianVectorProducts);
        }

        private void oracleCounter(Tags tags, String oracle, ToLongFunction<OracleCalls> count) {
            FunctionCounter.builder("mobl.oracle.calls", this, meters -> count.applyAsLong(meters.oracleCalls))
                    .description("Oracle calls spent on this preference so far (Definition 4.2)")
                    .tags(tags.and("oracle", oracle))
                    .register(registry);
        }

        void record(IterateTelemetry telemetry) {
            double[] values = telemetry.objectives();
            for (int s = 0; s < objectives.length; s++) objectives[s].set(values[s]);
            stationarity.set(telemetry.stationarity());
            stepNorm.set(telemetry.stepNorm());
            oracleCalls = telemetry.oracleCalls();
            iterations.increment();
        }
    }
}
