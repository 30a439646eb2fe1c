package io.mobl.core.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mobl.core.algorithm.IterativeAlgorithm;
import io.mobl.core.algorithm.WcMhgdAlgorithm;
import io.mobl.core.algorithm.WcMhgdConfig;
import io.mobl.core.algorithm.WcMhgdState;
import io.mobl.core.hypergradient.ConjugateGradient;
import io.mobl.core.linalg.Vectors;
import io.mobl.core.problem.quadratic.QuadraticProblem;
import io.mobl.core.problem.quadratic.QuadraticProblems;
import io.mobl.protocol.Checkpoint;
import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.OracleCalls;
import io.mobl.protocol.codec.CheckpointCodec;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class StateImageTest {
    private final QuadraticProblem problem = QuadraticProblems.dense(11, 3, 5, 2, 4, 0.5);
    private final WcMhgdAlgorithm algorithm = new WcMhgdAlgorithm(problem,
            WcMhgdConfig.defaults(problem, new ConjugateGradient(4), 6, 0.1, 100, 0));

    private static WcMhgdState steps(IterativeAlgorithm<WcMhgdState> algorithm, WcMhgdState state, int n) {
        for (int i = 0; i < n; i++) state = algorithm.step(state).next();
        return state;
    }

    @Test
    void aWcMhgdStateThroughTheBinaryCheckpointStepsAsTheStateItWasMadeFrom() {
        WcMhgdState start = algorithm.initialState(new double[] {0.3, 0.7}, problem.initialUpper());
        WcMhgdState atFive = steps(algorithm, start, 5);
        StateCodec<WcMhgdState> codec = algorithm.stateCodec();
        Checkpoint written = codec.encode(atFive).toCheckpoint("run", 0, algorithm.name(), algorithm.configuration(),
                3, 5, false, OracleCalls.NONE, List.of());
        Checkpoint read = CheckpointCodec.decode(CheckpointCodec.encode(written))
                .requireCompatible(algorithm.name(), algorithm.configuration(), 3, 5, 2);
        WcMhgdState resumed = codec.decode(StateImage.of(read));

        assertThat(resumed.iteration()).isEqualTo(5);
        assertThat(read.vectors().keySet()).contains("x", "y", "v.0", "v.1");
        WcMhgdState straight = steps(algorithm, atFive, 5);
        WcMhgdState again = steps(algorithm, resumed, 5);
        assertThat(again.x().toDoubleVector()).as("x_10 bit for bit").isEqualTo(straight.x().toDoubleVector());
        assertThat(again.lower().toDoubleVector()).isEqualTo(straight.lower().toDoubleVector());
        assertThat(again.warmStart(1).toDoubleVector()).isEqualTo(straight.warmStart(1).toDoubleVector());
    }

    @Test
    void warmStartsNotMadeYetStayAbsentAndComeBackAsNone() {
        WcMhgdState start = algorithm.initialState(new double[] {0.5, 0.5}, problem.initialUpper());
        StateImage image = algorithm.stateCodec().encode(start);
        assertThat(image.has("v.0")).isFalse();
        assertThat(algorithm.stateCodec().decode(image).warmStart(0)).isNull();
    }

    @Test
    void float32AndMatrixShapedVectorsComeBackWithTheirTypeAndShape() {
        INDArray f = Vectors.of(1.0 / 3, -2.5, 1e-7).castTo(DataType.FLOAT);
        INDArray m = Vectors.of(1, 2, 3, 4, 5, 6).reshape(2, 3);
        StateImage image = StateImage.builder(4, new double[] {0.5, 0.5}).vector("f", f).vector("m", m).build();
        INDArray back = image.vector("f", 3);
        assertThat(back.dataType()).isEqualTo(DataType.FLOAT);
        assertThat(back.toFloatVector()).isEqualTo(f.toFloatVector());
        assertThat(image.vector("m", 6).shape()).containsExactly(2, 3);
        assertThat(image.vector("m", 6).toDoubleMatrix()).isEqualTo(m.toDoubleMatrix());
    }

    @Test
    void aMissingOrMisSizedEntryIsRefusedNamingIt() {
        StateImage image = StateImage.builder(1, new double[] {0.5, 0.5})
                .vector("x", Vectors.of(1, 2, 3)).vector("y", Vectors.of(1, 2)).build();
        assertThatThrownBy(() -> algorithm.stateCodec().decode(image))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("checkpoint.vectors.y").hasMessageContaining("length 2").hasMessageContaining("length 5");
        StateImage noX = StateImage.builder(1, new double[] {0.5, 0.5}).vector("y", Vectors.of(1, 2, 3, 4, 5)).build();
        assertThatThrownBy(() -> algorithm.stateCodec().decode(noX))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("checkpoint.vectors.x");
        assertThatThrownBy(() -> StateImage.builder(0, new double[] {1}).counter("c", 1).counter("c", 2))
                .hasMessageContaining("entry c written twice");
    }
}
