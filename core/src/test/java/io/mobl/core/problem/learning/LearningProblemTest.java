package io.mobl.core.problem.learning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mobl.core.data.CsvFormat;
import io.mobl.core.data.LabelledImages;
import io.mobl.core.linalg.Vectors;
import io.mobl.core.model.Activation;
import io.mobl.core.model.Precision;
import io.mobl.core.problem.learning.LearningSpec.ModelKind;
import io.mobl.core.problem.learning.LearningSpec.UpperVariable;
import io.mobl.protocol.InvalidInputException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The configured learning problem's oracles against central finite differences of its own values and gradients,
 * for every model × upper variable: ∇_y g and ∇_x g against g, ∇²_yy g·v against ∇_y g, ∇²_xy g·v against ∇_x g,
 * ∇_y f_s against f_s.
 */
class LearningProblemTest {
    static final int CLASSES = 3;
    static final int FEATURES = 4;

    /** Seeded Gaussian clusters, one per class, so the sets are learnable. */
    static LabelledImages examples(String name, int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[][] x = new double[n][FEATURES];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = random.nextInt(CLASSES);
            for (int j = 0; j < FEATURES; j++) x[i][j] = (j % CLASSES == y[i] ? 1.5 : 0) + random.nextGaussian();
        }
        return new LabelledImages(name, x, y, CLASSES);
    }

    /** Sources a, b (training) and va, vb (validation); two objectives. */
    static Map<String, LabelledImages> data() {
        Map<String, LabelledImages> data = new LinkedHashMap<>();
        data.put("a", examples("a", 14, 1));
        data.put("b", examples("b", 11, 2));
        data.put("va", examples("va", 9, 3));
        data.put("vb", examples("vb", 8, 4));
        return data;
    }

    static LearningSpec spec(ModelKind kind, Activation activation, UpperVariable upper, Precision precision) {
        Map<String, LearningSpec.Data> sources = new LinkedHashMap<>();
        for (String name : List.of("a", "b", "va", "vb")) {
            sources.put(name, new LearningSpec.Csv(Path.of(name + ".csv"), CsvFormat.Layout.withHeader()));
        }
        int[] hidden = kind == ModelKind.LOGISTIC ? new int[0] : new int[] {5};
        List<LearningSpec.Objective> objectives = List.of(
                new LearningSpec.Objective("first", "va", kind == ModelKind.SHARED_TRUNK ? List.of("a") : List.of()),
                new LearningSpec.Objective("second", "vb", List.of()));
        return new LearningSpec(new LearningSpec.Model(kind, hidden, activation), upper, CLASSES, 1e-2, 0.1, precision,
                7, sources, List.of("a", "b"), objectives);
    }

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (UpperVariable upper : UpperVariable.values()) {
            cases.add(Arguments.of(ModelKind.LOGISTIC, Activation.RELU, upper));
            cases.add(Arguments.of(ModelKind.MLP, Activation.TANH, upper));
            cases.add(Arguments.of(ModelKind.MLP, Activation.RELU, upper));
            cases.add(Arguments.of(ModelKind.SHARED_TRUNK, Activation.TANH, upper));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1}, x = {2}")
    @MethodSource("cases")
    void everyOracleMatchesCentralDifferences(ModelKind kind, Activation activation, UpperVariable upper) {
        LearningProblem problem = LearningProblem.of(spec(kind, activation, upper, Precision.FLOAT64), data());
        SplittableRandom random = new SplittableRandom(11);
        INDArray x = gaussian(random, problem.upperDimension(), 0.7);
        INDArray y = problem.initialLower().add(gaussian(random, problem.lowerDimension(), 0.3));
        INDArray u = gaussian(random, problem.lowerDimension(), 1);
        INDArray w = gaussian(random, problem.upperDimension(), 1);
        double h = 1e-5;
        double tolerance = 1e-6;

        // ⟨∇_y g, u⟩ and ⟨∇_x g, w⟩ against differences of g
        double gy = (problem.lowerValue(x, y.add(u.mul(h))) - problem.lowerValue(x, y.sub(u.mul(h)))) / (2 * h);
        assertClose(Vectors.dot(problem.lowerGradient(x, y), u), gy, tolerance, "∇_y g");
        double gx = (problem.lowerValue(x.add(w.mul(h)), y) - problem.lowerValue(x.sub(w.mul(h)), y)) / (2 * h);
        assertClose(Vectors.dot(problem.lowerGradientX(x, y), w), gx, tolerance, "∇_x g");
        // ∇²_yy g·u against the difference of ∇_y g along u; ∇²_xy g·u against that of ∇_x g along u
        INDArray hessian = problem.lowerGradient(x, y.add(u.mul(h))).sub(problem.lowerGradient(x, y.sub(u.mul(h)))).div(2 * h);
        assertCloseVector(problem.hessianVector(x, y, u), hessian, tolerance, "∇²_yy g·v");
        INDArray mixed = problem.lowerGradientX(x, y.add(u.mul(h))).sub(problem.lowerGradientX(x, y.sub(u.mul(h)))).div(2 * h);
        assertCloseVector(problem.jacobianVector(x, y, u), mixed, tolerance, "∇²_xy g·v");
        // and the mixed derivative the other way round: ⟨w, ∇²_xy g·u⟩ = ⟨∇_y g(x + hw) − ∇_y g(x − hw), u⟩/(2h)
        double other = Vectors.dot(problem.lowerGradient(x.add(w.mul(h)), y).sub(problem.lowerGradient(x.sub(w.mul(h)), y)), u) / (2 * h);
        assertClose(Vectors.dot(w, problem.jacobianVector(x, y, u)), other, tolerance, "⟨w, ∇²_xy g·v⟩");
        for (int s = 0; s < problem.objectiveCount(); s++) {
            double fy = (problem.upper(s, x, y.add(u.mul(h))).value() - problem.upper(s, x, y.sub(u.mul(h))).value()) / (2 * h);
            assertClose(Vectors.dot(problem.upper(s, x, y).gradientY(), u), fy, tolerance, "∇_y f_" + s);
            assertThat(Vectors.norm(problem.upper(s, x, y).gradientX())).isZero();
        }
    }

    @Test
    void dimensionsFollowTheUpperVariableAndTheModel() {
        Map<String, LabelledImages> data = data();
        assertThat(LearningProblem.of(spec(ModelKind.LOGISTIC, Activation.RELU, UpperVariable.SAMPLE_WEIGHTS,
                Precision.FLOAT64), data).upperDimension()).isEqualTo(14 + 11);
        assertThat(LearningProblem.of(spec(ModelKind.LOGISTIC, Activation.RELU, UpperVariable.SOURCE_WEIGHTS,
                Precision.FLOAT64), data).upperDimension()).isEqualTo(2);
        LearningProblem ridge = LearningProblem.of(spec(ModelKind.MLP, Activation.TANH, UpperVariable.REGULARISATION,
                Precision.FLOAT64), data);
        assertThat(ridge.upperDimension()).isEqualTo(1);
        assertThat(ridge.initialUpper().getDouble(0)).isEqualTo(Math.log(0.1));
        assertThat(ridge.lowerDimension()).isEqualTo(FEATURES * 5 + 5 + 5 * CLASSES + CLASSES);
        LearningProblem shared = LearningProblem.of(spec(ModelKind.SHARED_TRUNK, Activation.TANH,
                UpperVariable.SAMPLE_WEIGHTS, Precision.FLOAT64), data);
        assertThat(shared.network().heads()).isEqualTo(2);
        assertThat(shared.lowerDimension()).isEqualTo(FEATURES * 5 + 5 + 2 * (5 * CLASSES + CLASSES));
    }

    @Test
    void float32ProductsAgreeWithFloat64ToSinglePrecision() {
        Map<String, LabelledImages> data = data();
        LearningProblem doubles = LearningProblem.of(spec(ModelKind.MLP, Activation.TANH, UpperVariable.SAMPLE_WEIGHTS,
                Precision.FLOAT64), data);
        LearningProblem singles = LearningProblem.of(spec(ModelKind.MLP, Activation.TANH, UpperVariable.SAMPLE_WEIGHTS,
                Precision.FLOAT32), data);
        SplittableRandom random = new SplittableRandom(5);
        INDArray x = gaussian(random, doubles.upperDimension(), 0.5);
        INDArray y = doubles.initialLower();
        INDArray v = gaussian(random, doubles.lowerDimension(), 1);
        assertCloseVector(singles.lowerGradient(x, y), doubles.lowerGradient(x, y), 1e-5, "∇_y g in float32");
        assertCloseVector(singles.hessianVector(x, y, v), doubles.hessianVector(x, y, v), 1e-5, "HVP in float32");
        assertCloseVector(singles.jacobianVector(x, y, v), doubles.jacobianVector(x, y, v), 1e-5, "JVP in float32");
    }

    @Test
    void aMinibatchOfTheLowerLevelIsUnbiased() {
        LearningProblem problem = LearningProblem.of(spec(ModelKind.SHARED_TRUNK, Activation.TANH,
                UpperVariable.SOURCE_WEIGHTS, Precision.FLOAT64), data());
        INDArray x = Vectors.of(0.3, -0.2);
        INDArray y = problem.initialLower();
        INDArray exact = problem.lowerGradient(x, y);
        SplittableRandom random = new SplittableRandom(9);
        int draws = 3000;
        INDArray mean = Vectors.zeros(problem.lowerDimension());
        for (int i = 0; i < draws; i++) Vectors.axpyInPlace(1.0 / draws, problem.lowerSample(random, 4).lowerGradient(x, y), mean);
        // the Monte Carlo error of the mean falls like 1/√draws; 5 % of the gradient's norm is far beyond it here
        assertThat(Vectors.norm(mean.sub(exact))).isLessThan(0.05 * Vectors.norm(exact));
    }

    @Test
    void dataOfAnotherShapeNamesTheSource() {
        Map<String, LabelledImages> data = data();
        data.put("b", new LabelledImages("b", new double[][] {{1, 2}}, new int[] {0}, CLASSES));
        assertThatThrownBy(() -> LearningProblem.of(spec(ModelKind.LOGISTIC, Activation.RELU,
                UpperVariable.SAMPLE_WEIGHTS, Precision.FLOAT64), data))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("sources.b = 2 features: expected 4 features per example, as sources.a has");
    }

    static INDArray gaussian(SplittableRandom random, long n, double scale) {
        double[] v = new double[(int) n];
        for (int i = 0; i < v.length; i++) v[i] = scale * random.nextGaussian();
        return Vectors.of(v);
    }

    static void assertClose(double actual, double expected, double tolerance, String what) {
        assertThat(Math.abs(actual - expected)).as(what + ": " + actual + " vs " + expected)
                .isLessThanOrEqualTo(tolerance * Math.max(1, Math.abs(expected)));
    }

    static void assertCloseVector(INDArray actual, INDArray expected, double tolerance, String what) {
        assertThat(Vectors.norm(actual.sub(expected))).as(what)
                .isLessThanOrEqualTo(tolerance * Math.max(1, Vectors.norm(expected)));
    }
}
