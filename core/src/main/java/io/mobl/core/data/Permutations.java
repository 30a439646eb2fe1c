package io.mobl.core.data;

import java.util.SplittableRandom;

/** Seeded shuffles: every split and sampler of mobl draws its orders here, so one seed gives one order everywhere. */
public final class Permutations {
    private Permutations() {}

    /** A uniformly random permutation of 0..n−1 (Fisher–Yates, drawing from the end), reproducible from the random's seed. */
    public static int[] of(int n, SplittableRandom random) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    /**
     * The order in which a seeded sampler reads a set of n samples in one epoch: a fresh permutation per
     * (seed, role, epoch), so every role (lower level −1, objective s) and every epoch has its own order, and a run
     * with the same seed reads the same batches. Samplers serve sample {@code position} as
     * {@code epoch(seed, role, position / n, n)[position % n]}.
     */
    public static int[] epoch(long seed, int role, long epoch, int n) {
        return of(n, new SplittableRandom(seed * 1_000_003L + (role + 1) * 7_919L + epoch * 104_729L));
    }
}
