package io.mobl.core.problem.quadratic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mobl.protocol.InvalidInputException;
import org.junit.jupiter.api.Test;

class QuadraticProblemFileTest {
    private static final String VALID = """
            {"type":"quadratic","A":[[2,0.5],[0.5,1]],"B":[[1,0,2],[0,1,1]],
             "objectives":[{"c":[1,0],"d":[0,0,1],"a":0.5},{"c":[0,1],"d":[1,1,0],"a":2}]}""";

    @Test
    void readsAValidFile() {
        QuadraticProblem problem = QuadraticProblemFile.parse(VALID);
        assertThat(problem.upperDimension()).isEqualTo(3);
        assertThat(problem.lowerDimension()).isEqualTo(2);
        assertThat(problem.objectiveCount()).isEqualTo(2);
        assertThat(problem.objectives().get(1).a()).isEqualTo(2.0);
        assertThat(problem.smoothness().orElseThrow().lowerStrongConvexity()).isGreaterThan(0.5);
    }

    private static void rejects(String json, String field, String expectedFragment) {
        assertThatThrownBy(() -> QuadraticProblemFile.parse(json))
                .isInstanceOf(InvalidInputException.class)
                .satisfies(e -> {
                    InvalidInputException error = (InvalidInputException) e;
                    assertThat(error.field()).isEqualTo(field);
                    assertThat(error.expected()).contains(expectedFragment);
                });
    }

    @Test
    void rejectsANonPositiveDefiniteLowerHessian() {
        rejects(VALID.replace("[[2,0.5],[0.5,1]]", "[[1,2],[2,1]]"), "A", "positive-definite");
    }

    @Test
    void rejectsANonSymmetricLowerHessian() {
        rejects(VALID.replace("[[2,0.5],[0.5,1]]", "[[2,0.5],[0.4,1]]"), "A[1][0]", "symmetric");
    }

    @Test
    void rejectsCouplingWithTheWrongNumberOfRows() {
        rejects(VALID.replace("[[1,0,2],[0,1,1]]", "[[1,0,2]]"), "B", "2 rows");
    }

    @Test
    void rejectsRaggedRows() {
        rejects(VALID.replace("[[1,0,2],[0,1,1]]", "[[1,0,2],[0,1]]"), "B[1]", "length 3");
    }

    @Test
    void rejectsTargetsOfTheWrongLength() {
        rejects(VALID.replace("\"c\":[1,0]", "\"c\":[1,0,3]"), "objectives[0].c", "length 2");
        rejects(VALID.replace("\"d\":[1,1,0]", "\"d\":[1,1]"), "objectives[1].d", "length 3");
    }

    @Test
    void rejectsNonFiniteNumbers() {
        rejects(VALID.replace("\"a\":0.5", "\"a\":1e999"), "objectives[0].a", "finite");
        rejects(VALID.replace("[[2,0.5]", "[[\"x\",0.5]"), "A[0][0]", "finite number");
    }

    @Test
    void rejectsUnknownFieldsAndTypes() {
        rejects(VALID.replace("\"type\":\"quadratic\"", "\"type\":\"cubic\""), "type", "quadratic");
        rejects(VALID.replace("\"type\"", "\"Type\":1,\"type\""), "Type", "one of the fields");
    }

    @Test
    void rejectsMalformedJson() {
        rejects("{\"type\":", "problem-file", "valid JSON");
    }
}
