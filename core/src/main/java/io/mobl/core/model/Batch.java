package io.mobl.core.model;

import io.mobl.core.data.LabelledImages;
import io.mobl.core.linalg.Vectors;
import io.mobl.protocol.InvalidInputException;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.function.Consumer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A fixed set of labelled samples as the matrices the network multiplies with, made once: features n×d and the
 * one-hot targets n×C (float64; {@link #in} gives the features in another precision).
 *
 * @param features n×d
 * @param labels   n class indices
 * @param oneHot   n×C, row j is e_{labels[j]}
 */
public record Batch(INDArray features, int[] labels, INDArray oneHot) {
    public Batch {
        if (features.rank() != 2 || features.rows() != labels.length || oneHot.rows() != labels.length) {
            throw new InvalidInputException("batch", "features " + java.util.Arrays.toString(features.shape())
                    + ", " + labels.length + " labels", "one feature row and one one-hot row per label");
        }
    }

    public static Batch of(LabelledImages images) {
        return of(images.features(), images.labels(), images.classes());
    }

    public static Batch of(INDArray features, int[] labels, int classes) {
        Vectors.useFloat64();
        INDArray oneHot = Nd4j.zeros(DataType.DOUBLE, labels.length, classes);
        for (int j = 0; j < labels.length; j++) {
            if (labels[j] < 0 || labels[j] >= classes) {
                throw new InvalidInputException("labels[" + j + "]", labels[j], "a class index in 0.." + (classes - 1));
            }
            oneHot.putScalar(j, labels[j], 1.0);
        }
        return new Batch(features.castTo(DataType.DOUBLE), labels.clone(), oneHot);
    }

    /**
     * n samples from row-major features (n·d values) made straight in {@code precision}, the one-hot targets in one
     * array: what a stochastic problem makes of each minibatch, without the float64 matrix and its cast that
     * {@link #of(INDArray, int[], int)} followed by {@link #in} would make.
     */
    public static Batch of(double[] features, int columns, int[] labels, int classes, Precision precision) {
        checkRows(features.length, columns, labels.length);
        if (precision == Precision.FLOAT32) {
            float[] single = new float[features.length];
            for (int i = 0; i < single.length; i++) single[i] = (float) features[i];
            return of(single, columns, labels, classes);
        }
        return new Batch(Nd4j.create(features, new long[] {labels.length, columns}, DataType.DOUBLE), labels.clone(),
                oneHot(labels, classes));
    }

    /**
     * n samples from row-major float32 features (n·d values), for a float32 network: what a stochastic problem makes
     * of each minibatch when it converts the rows as it gathers them, with no float64 copy in between.
     */
    public static Batch of(float[] features, int columns, int[] labels, int classes) {
        checkRows(features.length, columns, labels.length);
        return float32(columns, labels, classes, buffer -> buffer.put(features));
    }

    /**
     * n = labels.length samples whose float32 features {@code fill} writes, row-major, straight into the matrix's
     * native buffer (positioned at its start): a minibatch's rows converted as they are gathered, with no heap copy
     * in between. Nd4j.create(float[]) would also write entry by entry, which was most of the cost of a conversion.
     */
    public static Batch float32(int columns, int[] labels, int classes, Consumer<FloatBuffer> fill) {
        INDArray matrix = Nd4j.createUninitialized(DataType.FLOAT, labels.length, columns);
        fill.accept(matrix.data().asNio().order(ByteOrder.nativeOrder()).asFloatBuffer());
        return new Batch(matrix, labels.clone(), oneHot(labels, classes));
    }

    private static void checkRows(int values, int columns, int n) {
        if (values != (long) n * columns) {
            throw new InvalidInputException("features", values + " values", n + " rows of " + columns);
        }
    }

    private static INDArray oneHot(int[] labels, int classes) {
        int n = labels.length;
        double[] hot = new double[n * classes];
        for (int j = 0; j < n; j++) {
            if (labels[j] < 0 || labels[j] >= classes) {
                throw new InvalidInputException("labels[" + j + "]", labels[j], "a class index in 0.." + (classes - 1));
            }
            hot[j * classes + labels[j]] = 1;
        }
        return Nd4j.create(hot, new long[] {n, classes}, DataType.DOUBLE);
    }

    /**
     * The same samples with their features in {@code precision} (this batch when they already are): a network
     * computing in float32 then reads them in place instead of converting them on every call.
     */
    public Batch in(Precision precision) {
        if (features.dataType() == precision.dataType()) return this;
        return new Batch(features.castTo(precision.dataType()).dup('c'), labels, oneHot);
    }

    /**
     * Frees the native memory of the features and one-hot targets now, for a batch its maker used once and no one
     * else holds (ND4J otherwise frees it only once the garbage collector has found the arrays unreachable, which
     * for arrays that lived past a young collection can take many iterations). The batch is unusable afterwards.
     */
    public void release() {
        if (features.closeable()) features.close();
        if (oneHot.closeable()) oneHot.close();
    }

    public int size() {
        return labels.length;
    }

    public int classes() {
        return (int) oneHot.columns();
    }
}
