package io.mobl.ops.metrics;

import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mobl.ops.Records;
import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.IterateTelemetry;
import io.mobl.protocol.OracleCalls;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MoblMetricsTest {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final MoblMetrics metrics = MoblMetrics.bindTo(registry);
    private static final double[] R = {0.25, 0.75};

    @AfterEach
    void close() {
        metrics.close();
        registry.close();
    }

    @Test
    void oneIterationSetsEveryPerPreferenceMeterOnce() {
        metrics.onIteration(Records.telemetry("demo", R, 0, new double[] {1.5, 2.5}));
        metrics.onIteration(Records.telemetry("demo", R, 1, new double[] {1.25, 2.0}));

        Tags pref = Tags.of("run", "demo", "preference", "0.2500,0.7500");
        assertThat(registry.get("mobl.iterations").tags(pref).counter().count()).isEqualTo(2.0);
        assertThat(registry.get("mobl.objective").tags(pref).tag("objective", "1").gauge().value()).isEqualTo(1.25);
        assertThat(registry.get("mobl.objective").tags(pref).tag("objective", "2").gauge().value()).isEqualTo(2.0);
        assertThat(registry.get("mobl.stationarity.gap").tags(pref).gauge().value()).isEqualTo(0.5);
        assertThat(registry.get("mobl.step.norm").tags(pref).gauge().value()).isEqualTo(0.05);
        OracleCalls calls = Records.calls(2);
        assertThat(registry.get("mobl.oracle.calls").tags(pref).tag("oracle", "Gc(f)").functionCounter().count())
                .isEqualTo(calls.upperGradients());
        assertThat(registry.get("mobl.oracle.calls").tags(pref).tag("oracle", "Gc(g)").functionCounter().count())
                .isEqualTo(calls.lowerGradients());
        assertThat(registry.get("mobl.oracle.calls").tags(pref).tag("oracle", "JV(g)").functionCounter().count())
                .isEqualTo(calls.jacobianVectorProducts());
        assertThat(registry.get("mobl.oracle.calls").tags(pref).tag("oracle", "HV(g)").functionCounter().count())
                .isEqualTo(calls.hessianVectorProducts());
    }

    @Test
    void eachPhaseIsTimedFromTheTelemetryNanoseconds() {
        metrics.onIteration(Records.telemetry("demo", R, 0, new double[] {1, 2}));
        metrics.onIteration(Records.telemetry("demo", R, 1, new double[] {1, 2}));

        Timer lower = registry.get("mobl.iteration.duration").tags("run", "demo", "phase", "lower").timer();
        assertThat(lower.count()).isEqualTo(2);
        assertThat(lower.totalTime(TimeUnit.NANOSECONDS)).isEqualTo(4_000_000.0);
        assertThat(registry.get("mobl.iteration.duration").timers()).hasSize(4);
    }

    @Test
    void preferencesGetTheirOwnSeries() {
        metrics.onIteration(Records.telemetry("demo", R, 0, new double[] {1, 2}));
        metrics.onIteration(Records.telemetry("demo", new double[] {0.5, 0.5}, 0, new double[] {3, 4}));

        assertThat(registry.get("mobl.iterations").counters()).hasSize(2);
        assertThat(registry.get("mobl.objective").tag("preference", "0.5000,0.5000").tag("objective", "1")
                .gauge().value()).isEqualTo(3.0);
    }

    @Test
    void streamCountersAndLagAreTaggedByTopic() {
        metrics.onBatchesConsumed("mobl.demo.lower", 3);
        metrics.onBatchesConsumed("mobl.demo.lower", 2);
        metrics.setLag("mobl.demo.lower", 0, 40);
        metrics.setLag("mobl.demo.lower", 0, 7);
        metrics.setLag("mobl.demo.lower", 1, 5);
        metrics.onDeadLetter("mobl.demo.upper");
        metrics.onParetoPoint(Records.point("demo", R, new double[] {1, 2}));

        assertThat(registry.get("mobl.batches.consumed").tag("source", "mobl.demo.lower").functionCounter().count())
                .isEqualTo(5.0);
        assertThat(registry.get("mobl.kafka.lag").tags("topic", "mobl.demo.lower", "partition", "0").gauge().value())
                .isEqualTo(7.0);
        assertThat(registry.get("mobl.kafka.lag").gauges()).hasSize(2);
        assertThat(registry.get("mobl.dlq.records").tag("topic", "mobl.demo.upper").functionCounter().count()).isEqualTo(1.0);
        assertThat(registry.get("mobl.pareto.points").tag("run", "demo").counter().count()).isEqualTo(1.0);
    }

    @Test
    void countersAStreamKeepsItselfAreReadAtEachScrapeAndOutliveGarbageCollection() {
        java.util.concurrent.atomic.AtomicLong delivered = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicLong dead = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicLong lag = new java.util.concurrent.atomic.AtomicLong();
        // lambdas, not the AtomicLongs: only MoblMetrics holds them, as with puller::delivered
        metrics.watchBatchesConsumed("mobl.demo.lower", () -> delivered.get());
        metrics.watchDeadLetters("mobl.demo.upper", () -> dead.get());
        metrics.watchLag("mobl.demo.lower", 3, () -> lag.get());
        delivered.set(12);
        dead.set(2);
        lag.set(30);
        for (int i = 0; i < 3; i++) System.gc();

        assertThat(registry.get("mobl.batches.consumed").tag("source", "mobl.demo.lower").functionCounter().count())
                .isEqualTo(12.0);
        assertThat(registry.get("mobl.dlq.records").tag("topic", "mobl.demo.upper").functionCounter().count()).isEqualTo(2.0);
        assertThat(registry.get("mobl.kafka.lag").tags("topic", "mobl.demo.lower", "partition", "3").gauge().value())
                .isEqualTo(30.0);
        delivered.addAndGet(5);
        assertThat(registry.get("mobl.batches.consumed").functionCounter().count()).isEqualTo(17.0);
    }

    @Test
    void theKktResidualIsAGaugePerRunAndPreference() {
        metrics.onKktResidual("demo", R, 1e-3);
        metrics.onKktResidual("demo", R, 2.5e-9);
        assertThat(registry.get("mobl.kkt.residual").tags("run", "demo").gauge().value()).isEqualTo(2.5e-9);
        assertThatThrownBy(() -> metrics.onKktResidual("demo", R, -1)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> metrics.onKktResidual("demo", R, Double.NaN)).isInstanceOf(InvalidInputException.class);
    }

    @Test
    void theTelemetrysKktResidualFeedsTheGaugeAndAnIterationWithoutOneLeavesItAlone() {
        IterateTelemetry plain = Records.telemetry("kkt", R, 0, new double[] {1, 2});
        metrics.onIteration(plain);
        assertThat(registry.find("mobl.kkt.residual").gauge()).as("an algorithm without a constrained subproblem").isNull();
        metrics.onIteration(new IterateTelemetry(plain.run(), plain.preference(), 1, plain.objectives(), plain.weights(),
                plain.stationarity(), plain.stepNorm(), plain.oracleCalls(), plain.phaseNanos(), 4e-12));
        assertThat(registry.get("mobl.kkt.residual").tags("run", "kkt").gauge().value()).isEqualTo(4e-12);
    }

    @Test
    void jvmMetersAreBound() {
        assertThat(registry.find("jvm.memory.used").gauges()).isNotEmpty();
        assertThat(registry.find("jvm.threads.live").gauge()).isNotNull();
        assertThat(registry.find("process.cpu.usage").gauge()).isNotNull();
        assertThat(registry.find("jvm.gc.memory.allocated").counter()).isNotNull();
    }

    @Test
    void othersCanRegisterAPoolGaugeAndAMonitoredExecutor() throws Exception {
        AtomicInteger queued = new AtomicInteger(4);
        metrics.registerGauge("mobl.dispatcher.queued", "Tasks waiting on the math dispatcher",
                Tags.of("dispatcher", "mobl-math"), queued, AtomicInteger::get);
        assertThat(registry.get("mobl.dispatcher.queued").tag("dispatcher", "mobl-math").gauge().value()).isEqualTo(4.0);

        var pool = metrics.monitor(Executors.newFixedThreadPool(1), "mobl-math");
        pool.submit(() -> { }).get();
        assertThat(registry.get("executor").tag("name", "mobl-math").timer().count()).isEqualTo(1);
        assertThat(registry.get("executor.pool.size").tag("name", "mobl-math").gauge().value()).isEqualTo(1.0);
        pool.shutdown();
        assertThat(pool.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void invalidInputsAreRejectedNamingTheField() {
        IterateTelemetry bad = new IterateTelemetry("demo", R, 0, new double[] {1, 2}, new double[] {0.5, 0.5},
                0, 0, OracleCalls.NONE, Map.of("lower", -1L));
        assertThatThrownBy(() -> metrics.onIteration(bad)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("phaseNanos[lower]");
        assertThat(registry.find("mobl.iterations").counters()).isEmpty();
        assertThatThrownBy(() -> metrics.onBatchesConsumed("mobl.demo.lower", -1)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> metrics.setLag("t", -1, 0)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("partition");
        assertThatThrownBy(() -> metrics.setLag("t", 0, -5)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> metrics.onDeadLetter(" ")).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> metrics.registerGauge("queue.depth", "", Tags.empty(), queuedState(), x -> 1))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("gauge name");
    }

    private static Object queuedState() {
        return new Object();
    }
}
