package io.mobl.core.stochastic;

import io.mobl.protocol.Minibatch;

/**
 * A seeded, random-access supply of minibatches: the same (role, index, rows) gives the same minibatch bit for
 * bit, in any process. {@link GeneratedBatchSource} serves it in order; a Kafka producer can publish it.
 */
@FunctionalInterface
public interface MinibatchGenerator {

    /**
     * @param objective {@link Minibatch#LOWER} or an upper objective s ≥ 0
     * @param index     the batch's position in its role's stream, ≥ 0
     * @param rows      samples in the batch, ≥ 1
     */
    Minibatch batch(int objective, long index, int rows);
}
