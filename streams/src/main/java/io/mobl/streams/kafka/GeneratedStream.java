package io.mobl.streams.kafka;

import io.mobl.core.algorithm.StochasticWcMhgdConfig;
import io.mobl.core.stochastic.MinibatchGenerator;
import io.mobl.protocol.Checks;
import io.mobl.protocol.Minibatch;

import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * A seeded {@link MinibatchGenerator}'s data in the order a producer publishes it: rounds of
 * {@code lowerPerRound} lower-level minibatches followed by one minibatch of each upper objective. Lazy, so a
 * looping producer ({@code rounds = Long.MAX_VALUE}) streams new samples for ever: batch i of a role is the
 * generator's batch i, with its own id, never a replay.
 *
 * <p>With the ratio from {@link #perIteration}, the lower and the upper topic fill at the pace stochastic WC-MHGD
 * empties them, so neither runs dry long before the other.
 *
 * @param generator     the data
 * @param objectives    S ≥ 1
 * @param rows          samples per minibatch ≥ 1
 * @param lowerPerRound lower-level minibatches per round ≥ 1
 * @param rounds        rounds to produce ≥ 0 ({@link Long#MAX_VALUE}: for ever)
 */
public record GeneratedStream(MinibatchGenerator generator, int objectives, int rows, int lowerPerRound, long rounds)
        implements Iterable<Minibatch> {
    public static final long FOREVER = Long.MAX_VALUE;

    public GeneratedStream {
        if (generator == null) throw new io.mobl.protocol.InvalidInputException("generator", null, "a minibatch generator");
        Checks.atLeast("objectives", objectives, 1);
        Checks.atLeast("rows", rows, 1);
        Checks.atLeast("lowerPerRound", lowerPerRound, 1);
        if (rounds < 0) throw new io.mobl.protocol.InvalidInputException("rounds", rounds, "an integer >= 0");
    }

    /**
     * The minibatches (of {@code rows} samples) one iteration of Alg. 2 takes: lower-level ones (D steps,
     * 𝒟_G and Alg. 3's ℬ_1 … ℬ_Q) and those of each upper objective (𝒟_F^s).
     */
    public record PerIteration(int lower, int upperPerObjective) {
        /** Lower-level minibatches per upper minibatch, rounded up: the {@code lowerPerRound} that keeps pace. */
        public int ratio() {
            return Math.max(1, (lower + upperPerObjective - 1) / upperPerObjective);
        }

        /** Rounds that feed {@code iterations} iterations. */
        public long rounds(long iterations) {
            return Math.max(iterations * upperPerObjective, (iterations * lower + ratio() - 1) / ratio());
        }
    }

    public static PerIteration perIteration(StochasticWcMhgdConfig config, int rows) {
        Checks.atLeast("rows", rows, 1);
        int lower = config.lowerIterations() * minibatches(config.lowerBatchSize(), rows) + minibatches(config.jacobianBatchSize(), rows);
        for (int size : config.hessianBatchSizes()) lower += minibatches(size, rows);
        return new PerIteration(lower, minibatches(config.upperBatchSize(), rows));
    }

    private static int minibatches(int samples, int rows) {
        return (samples + rows - 1) / rows;
    }

    /** Records in the whole stream ({@link Long#MAX_VALUE} when it does not end). */
    public long size() {
        long perRound = (long) lowerPerRound + objectives;
        return rounds > Long.MAX_VALUE / perRound ? Long.MAX_VALUE : rounds * perRound;
    }

    @Override
    public Iterator<Minibatch> iterator() {
        return new Iterator<>() {
            long round;
            int slot; // 0 .. lowerPerRound + objectives - 1

            @Override
            public boolean hasNext() {
                return round < rounds;
            }

            @Override
            public Minibatch next() {
                if (!hasNext()) throw new NoSuchElementException();
                Minibatch b = slot < lowerPerRound
                        ? generator.batch(Minibatch.LOWER, round * lowerPerRound + slot, rows)
                        : generator.batch(slot - lowerPerRound, round, rows);
                if (++slot == lowerPerRound + objectives) {
                    slot = 0;
                    round++;
                }
                return b;
            }
        };
    }
}
