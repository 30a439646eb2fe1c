package io.mobl.ops.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mobl.core.data.DataSets;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExperimentCommandTest extends CliTest {
    @TempDir Path dir;
    @Test
    void aShortHyperCleaningRunWritesResultsPerDataSetAndMethodAndThePictureOfItsSweep() throws Exception {
        assumeTrue(DataSets.installed("mnist") && DataSets.installed("fashion-mnist"),
                "data sets not installed: run " + DataSets.INSTALL_COMMAND);
        int code = mobl("experiment", "hyper-cleaning", "--seeds", "1", "--iterations", "2", "--lower-iterations", "2",
                "--train-size", "200", "--sweep", "2", "--sweep-iterations", "1", "--out", dir.toString());
        assertThat(code).as(err.toString()).isZero();

        JsonNode json = new ObjectMapper().readTree(dir.resolve("results.json").toFile());
        for (String dataset : new String[] {"mnist", "fashion-mnist"}) {
            for (String method : new String[] {"wc-mhgd-cg", "wc-mhgd-ns", "moml"}) {
                JsonNode r = json.at("/results/" + dataset + "/" + method);
                assertThat(r.at("/seeds").asInt()).isEqualTo(1);
                // well above chance (10 %) even after K = 2 on 200 images: measured 42-57 % accuracy, 29-53 % F1; a
                // model that was not trained, or scored against other labels, stays near 10 %
                assertThat(r.at("/accuracy/mean").asDouble()).as(dataset + " " + method + " accuracy").isBetween(35.0, 100.0);
                assertThat(r.at("/macroF1/mean").asDouble()).as(dataset + " " + method + " F1").isBetween(20.0, 100.0);
                assertThat(r.at("/accuracy/std").asDouble()).isZero(); // one seed
            }
        }
        // the summary is the runs' own scores, and the sample weights do the cleaning: WC-MHGD (CG) and MOML weigh the
        // clean images above the corrupted ones on both data sets (measured 0.90-0.98 against 0.25-0.46)
        for (JsonNode run : json.at("/runs")) {
            String method = run.at("/method").asText();
            for (String dataset : new String[] {"mnist", "fashion-mnist"}) {
                assertThat(json.at("/results/" + dataset + "/" + method + "/accuracy/mean").asDouble())
                        .isEqualTo(run.at("/" + dataset + "/accuracy").asDouble());
                double clean = run.at("/" + dataset + "/meanWeightClean").asDouble();
                double corrupted = run.at("/" + dataset + "/meanWeightCorrupted").asDouble();
                assertThat(clean).as(method + " " + dataset + " weights").isGreaterThanOrEqualTo(corrupted);
                if (!method.equals("wc-mhgd-ns")) assertThat(clean - corrupted).as(method + " " + dataset).isGreaterThan(0.3);
            }
        }
        assertThat(json.at("/settings/test").asInt()).isEqualTo(5000);
        assertThat(json.at("/note").asText()).contains("3,000");
        assertThat(json.at("/paper/mnist/forum/accuracy").asDouble()).isEqualTo(90.81);
        assertThat(json.at("/runs")).hasSize(3);
        assertThat(json.at("/pareto")).hasSize(2);
        assertThat(out.toString()).contains("wc-mhgd-cg").contains("90.81 (paper)").contains("3,000 images");

        BufferedImage png = ImageIO.read(Files.newInputStream(dir.resolve("pareto.png")));
        assertThat(png.getWidth()).isEqualTo(800);
    }

    @Test
    void aFloat32HyperCleaningRunSaysSoInItsResults() throws Exception {
        assumeTrue(DataSets.installed("mnist") && DataSets.installed("fashion-mnist"),
                "data sets not installed: run " + DataSets.INSTALL_COMMAND);
        int code = mobl("experiment", "hyper-cleaning", "--dtype", "float32", "--methods", "cg", "--seeds", "1",
                "--iterations", "2", "--lower-iterations", "2", "--train-size", "200", "--sweep", "0", "--out", dir.toString());
        assertThat(code).as(err.toString()).isZero();
        JsonNode json = new ObjectMapper().readTree(dir.resolve("results.json").toFile());
        assertThat(json.at("/dtype").asText()).isEqualTo("float32");
        // float32 products change the model by rounding only: the same run in float64 scores 56.6 % here
        assertThat(json.at("/results/mnist/wc-mhgd-cg/accuracy/mean").asDouble()).isBetween(50.0, 63.0);
        assertThat(out.toString()).contains("(float32)");
    }

    @Test
    void anUnknownDtypeIsAUserErrorNamingTheOnesThereAre() {
        assertThat(mobl("experiment", "hyper-cleaning", "--dtype", "float16")).isEqualTo(Main.USER_ERROR);
        assertThat(err.toString()).contains("--dtype = float16").contains("one of float64, float32");
    }

    @Test
    void seedsAreSummarisedByTheMeanAndTheSampleStandardDeviation() {
        var m = ExperimentCommand.meanStd(new double[] {88, 90, 92});
        assertThat(m.get("mean")).isEqualTo(90.0);
        assertThat(m.get("std")).isEqualTo(2.0); // √((4 + 0 + 4) / 2)
        assertThat(ExperimentCommand.meanStd(new double[] {87.5}).get("std")).isZero();
    }

    @Test
    void anExperimentItDoesNotKnowIsAUserErrorNamingTheOnesItDoes() {
        assertThat(mobl("experiment", "hyper-clean")).isEqualTo(Main.USER_ERROR);
        assertThat(err.toString()).contains("'hyper-clean'")
                .contains("the subcommands of mobl experiment are hyper-cleaning, stochastic-hyper-cleaning, data-mixture");
        assertThat(mobl("experiment")).isEqualTo(Main.USER_ERROR);
        assertThat(err.toString()).contains("Missing the experiment").contains("data-mixture");
    }

    @Test
    void aShortStochasticHyperCleaningRunWritesScoresPerPreferenceAndCorruptionRate() throws Exception {
        assumeTrue(DataSets.installed("mnist"), "MNIST not installed: run " + DataSets.INSTALL_COMMAND);
        int code = mobl("experiment", "stochastic-hyper-cleaning", "--seeds", "1", "--iterations", "2",
                "--lower-iterations", "2", "--train-size", "300", "--preferred", "1", "--out", dir.toString());
        assertThat(code).as(err.toString()).isZero();

        JsonNode json = new ObjectMapper().readTree(dir.resolve("results.json").toFile());
        assertThat(json.at("/results")).hasSize(3); // preferred and extremely preferred p=0.35, and uniform
        JsonNode extreme = json.at("/results/extremely preferred p=0.35");
        assertThat(extreme.at("/preference/1").asDouble()).isEqualTo(0.96);
        assertThat(extreme.at("/preference/0").asDouble()).isCloseTo(0.01, org.assertj.core.api.Assertions.within(1e-12));
        String[] rates = {"p=0.20", "p=0.35", "p=0.50", "p=0.65", "p=0.80"};
        for (String rate : rates) {
            for (String metric : new String[] {"accuracy", "macroF1"}) {
                assertThat(extreme.at("/" + rate + "/" + metric + "/mean").asDouble()).as(rate + " " + metric)
                        .isBetween(0.0, 100.0);
                assertThat(extreme.at("/" + rate + "/" + metric + "/std").asDouble()).isZero(); // one seed
            }
            assertThat(extreme.at("/" + rate + "/validationLoss/mean").asDouble()).isPositive();
        }
        // each rate's model learns its own labels: the fewer are corrupted, the better it scores on the clean test set
        // and the lower its validation loss (measured 49.9, 44.9, 33.5, 22.3, 17.9 %); models trained on one
        // another's labels would score alike
        assertThat(extreme.at("/p=0.20/accuracy/mean").asDouble()).isGreaterThan(35.0);
        for (int i = 1; i < rates.length; i++) {
            assertThat(extreme.at("/" + rates[i] + "/accuracy/mean").asDouble()).as(rates[i] + " against " + rates[i - 1])
                    .isLessThan(extreme.at("/" + rates[i - 1] + "/accuracy/mean").asDouble());
            assertThat(extreme.at("/" + rates[i] + "/validationLoss/mean").asDouble())
                    .isGreaterThan(extreme.at("/" + rates[i - 1] + "/validationLoss/mean").asDouble());
        }
        assertThat(json.at("/objectives/uniform")).hasSize(5);
        assertThat(json.at("/settings/train").asInt()).isEqualTo(300);
        assertThat(json.at("/settings/iterations").asInt()).isEqualTo(2);
        assertThat(json.at("/runs")).hasSize(3);
        assertThat(json.at("/runs/0/regularisationTrajectory")).hasSize(3);
        assertThat(out.toString()).contains("extremely preferred p=0.35").contains("rank");
    }

    @Test
    void aDataMixtureMethodItDoesNotKnowIsAUserErrorNamingTheOnesItDoes() {
        assertThat(mobl("experiment", "data-mixture", "--methods", "moml", "--out", dir.toString())).isEqualTo(Main.USER_ERROR);
        assertThat(err.toString()).contains("--methods = moml").contains("moml is not one of them").contains("wc-penalty");
    }

    @Test
    void aShortDataMixtureRunWritesAccuracyAndMixturePerPreferenceMethodAndCriterion() throws Exception {
        assumeTrue(DataSets.installed("fashion-mnist"), "Fashion-MNIST not installed: run " + DataSets.INSTALL_COMMAND);
        int code = mobl("experiment", "data-mixture", "--seeds", "1", "--iterations", "1", "--penalty-iterations", "2",
                "--train-size", "100", "--out", dir.toString());
        assertThat(code).as(err.toString()).isZero();

        JsonNode json = new ObjectMapper().readTree(dir.resolve("results.json").toFile());
        assertThat(json.at("/results")).hasSize(4); // a preference favouring each of 3 criteria, and the balanced one
        for (String method : new String[] {"wc-penalty", "wc-mhgd-cg"}) {
            JsonNode r = json.at("/results/r=(0.80,0.10,0.10)/" + method);
            double mixture = 0;
            for (int k = 0; k < 3; k++) {
                assertThat(r.at("/criterion-" + k + "/accuracy/mean").asDouble()).isBetween(0.0, 100.0);
                mixture += r.at("/criterion-" + k + "/mixtureWeight/mean").asDouble();
            }
            assertThat(mixture).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-9));
        }
        // WC-MHGD follows the preference from its first step: the favoured source gets most of the mixture, and each
        // slice's test accuracy is best under the preference that favours it (measured 78 / 66 / 83 % there against
        // 4-52 % under the others); a preference applied to the wrong criterion fails both
        String[] favouring = {"r=(0.80,0.10,0.10)", "r=(0.10,0.80,0.10)", "r=(0.10,0.10,0.80)"};
        for (int k = 0; k < 3; k++) {
            JsonNode own = json.at("/results/" + favouring[k] + "/wc-mhgd-cg/criterion-" + k);
            assertThat(own.at("/mixtureWeight/mean").asDouble()).as("w_%d under %s", k, favouring[k]).isGreaterThan(0.5);
            for (int other = 0; other < 3; other++) {
                if (other == k) continue;
                assertThat(own.at("/accuracy/mean").asDouble()).as("slice %d under %s against %s", k, favouring[k], favouring[other])
                        .isGreaterThan(json.at("/results/" + favouring[other] + "/wc-mhgd-cg/criterion-" + k + "/accuracy/mean").asDouble());
            }
        }
        assertThat(json.at("/settings/sourceSize").asInt()).isEqualTo(100);
        assertThat(json.at("/runs")).hasSize(8);
        assertThat(out.toString()).contains("wc-penalty").contains("wc-mhgd-cg");
    }

    @Test
    void aShortStochasticSampleWeightRunWritesItsScoresAndSampling() throws Exception {
        assumeTrue(DataSets.installed("mnist") && DataSets.installed("fashion-mnist"),
                "data sets not installed: run " + DataSets.INSTALL_COMMAND);
        int code = mobl("experiment", "hyper-cleaning", "--methods", "swc", "--seeds", "1", "--iterations", "2",
                "--lower-iterations", "3", "--lower-batch", "20", "--jacobian-batch", "400", "--train-size", "200",
                "--select-every", "1", "--sweep", "0", "--out", dir.toString());
        assertThat(code).as(err.toString()).isZero();

        JsonNode json = new ObjectMapper().readTree(dir.resolve("results.json").toFile());
        for (String dataset : new String[] {"mnist", "fashion-mnist"}) {
            JsonNode r = json.at("/results/" + dataset + "/stochastic-wc-mhgd");
            // 2 iterations of 3 SGD steps on 20 images: above chance (measured 20 and 27 %), and the weights already
            // favour the clean images (0.90 against 0.55, 0.87 against 0.77)
            assertThat(r.at("/accuracy/mean").asDouble()).as(dataset).isBetween(15.0, 100.0);
            assertThat(json.at("/runs/0/" + dataset + "/meanWeightClean").asDouble()).as(dataset + " weights")
                    .isGreaterThan(json.at("/runs/0/" + dataset + "/meanWeightCorrupted").asDouble());
        }
        assertThat(json.at("/stochastic/sampling/lowerBatch").asInt()).isEqualTo(20);
        assertThat(json.at("/stochastic/sampling/jacobianBatch").asInt()).isEqualTo(400);
        assertThat(json.at("/stochastic/sampling/lowerIterations").asInt()).isEqualTo(3);
        assertThat(json.at("/settings/selectEvery").asInt()).isEqualTo(1);
        assertThat(json.at("/runs")).hasSize(1);
        assertThat(out.toString()).contains("LL batch 20, D 3");
    }

    @Test
    void anUnknownModelOrMethodIsAUserError() {
        assertThat(mobl("experiment", "hyper-cleaning", "--model", "cnn")).isEqualTo(Main.USER_ERROR);
        assertThat(err.toString()).contains("--model = cnn");
        assertThat(mobl("experiment", "hyper-cleaning", "--methods", "cg,xx")).isEqualTo(Main.USER_ERROR);
        assertThat(err.toString()).contains("--methods = cg,xx").contains("xx is not one of them").contains("moml").contains("forum");
    }

    @Test
    void aShortStochasticForumRunWritesTheSelectedIteratesScoresAndACurveThatReportDraws() throws Exception {
        assumeTrue(DataSets.installed("mnist") && DataSets.installed("fashion-mnist"),
                "data sets not installed: run " + DataSets.INSTALL_COMMAND);
        int code = mobl("experiment", "hyper-cleaning", "--methods", "forum-stochastic", "--seeds", "1",
                "--iterations", "4", "--lower-iterations", "2", "--lower-batch", "20", "--train-size", "200",
                "--select-every", "1", "--averaging", "0.5", "--sweep", "0", "--out", dir.toString());
        assertThat(code).as(err.toString()).isZero();

        JsonNode json = new ObjectMapper().readTree(dir.resolve("results.json").toFile());
        JsonNode run = json.at("/runs/0");
        assertThat(run.at("/method").asText()).isEqualTo("forum-stochastic");
        assertThat(json.at("/forum-stochastic/setting/lowerIterations").asInt()).isEqualTo(2);
        assertThat(json.at("/forum-stochastic/setting/weightStepSize").asDouble()).isEqualTo(10.0);
        // the scores reported are the test scores of the point of the curve that scored best on the selection sets
        JsonNode curve = run.at("/curve");
        assertThat(curve).hasSize(8); // k = 0 … 3, the iterate and the average each
        JsonNode best = null;
        for (JsonNode p : curve) {
            double score = (p.at("/selectionAccuracy/0").asDouble() + p.at("/selectionAccuracy/1").asDouble()) / 2;
            if (best == null || score > (best.at("/selectionAccuracy/0").asDouble()
                    + best.at("/selectionAccuracy/1").asDouble()) / 2) best = p;
        }
        assertThat(run.at("/selectedIteration").asInt()).isEqualTo(best.at("/iteration").asInt());
        String[] datasets = {"mnist", "fashion-mnist"};
        for (int i = 0; i < 2; i++) {
            assertThat(run.at("/" + datasets[i] + "/accuracy").asDouble())
                    .isCloseTo(100 * best.at("/testAccuracy/" + i).asDouble(), org.assertj.core.data.Offset.offset(1e-9));
            assertThat(json.at("/results/" + datasets[i] + "/forum-stochastic/accuracy/mean").asDouble()).isBetween(10.0, 100.0);
        }

        assertThat(mobl("report", "--curves", dir.resolve("results.json").toString(),
                "--out", dir.resolve("curve.png").toString(), "--width", "500", "--height", "300")).as(err.toString()).isZero();
        BufferedImage png = ImageIO.read(Files.newInputStream(dir.resolve("curve.png")));
        assertThat(png.getWidth()).isEqualTo(1000); // one 500-pixel panel per data set
        assertThat(png.getHeight()).isEqualTo(300);
    }
}
