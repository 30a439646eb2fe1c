package io.mobl.ops.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mobl.core.data.DataSets;
import io.mobl.core.experiment.DataMixtureSettings;
import io.mobl.core.problem.mixture.MixtureSplit;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

class DataMixtureParetoTest {
    @TempDir Path dir;

    @Test
    void theSweepsValidationLossesAreThePointsOfTheParetoPicture() throws Exception {
        assumeTrue(DataSets.installed("fashion-mnist"), "Fashion-MNIST not installed: run " + DataSets.INSTALL_COMMAND);
        DataMixtureSettings settings = DataMixtureSettings.defaults().withIterations(1, 2)
                .withSizes(new MixtureSplit.Sizes(3, 100, 100, 100, 0.8));
        DataMixtureExperiment experiment = new DataMixtureExperiment(settings, List.of("wc-penalty", "cg"), 2, dir);
        assertThat(experiment.run(new PrintWriter(new StringWriter()))).isZero();

        BufferedImage png = ImageIO.read(Files.newInputStream(dir.resolve("pareto.png")));
        assertThat(png.getWidth()).isEqualTo(1200); // three 400-pixel panels: one per pair of the 3 criteria
        assertThat(png.getHeight()).isEqualTo(400);

        // the sweep: seed 0 of each of the 4 preferences, per method, as results.json records those runs
        JsonNode json = new ObjectMapper().readTree(dir.resolve("results.json").toFile());
        Map<String, List<double[]>> sweep = Map.of("wc-penalty", new ArrayList<>(), "wc-mhgd-cg", new ArrayList<>());
        for (JsonNode run : json.at("/runs")) {
            if (run.at("/seed").asInt() != 0) continue;
            double[] losses = new double[3];
            for (int k = 0; k < 3; k++) losses[k] = run.at("/validationLosses/" + k).asDouble();
            sweep.get(run.at("/method").asText()).add(losses);
        }
        assertThat(sweep.get("wc-penalty")).hasSize(4);
        assertThat(json.at("/pareto")).hasSize(8);

        List<XYChart> panels = experiment.paretoReport().charts(400, 400);
        int[][] pairs = {{0, 1}, {0, 2}, {1, 2}};
        assertThat(panels).hasSize(3);
        for (int i = 0; i < 3; i++) {
            for (var method : sweep.entrySet()) {
                XYSeries series = panels.get(i).getSeriesMap().get(method.getKey());
                assertThat(series).as(method.getKey()).isNotNull();
                assertThat(series.getXData()).containsExactly(column(method.getValue(), pairs[i][0]));
                assertThat(series.getYData()).containsExactly(column(method.getValue(), pairs[i][1]));
            }
        }
    }

    private static double[] column(List<double[]> points, int objective) {
        return points.stream().mapToDouble(p -> p[objective]).toArray();
    }
}
