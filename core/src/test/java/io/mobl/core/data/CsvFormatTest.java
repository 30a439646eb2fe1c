package io.mobl.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mobl.protocol.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Reading labelled examples from CSV, and every way a file can be wrong, named by line and column. */
class CsvFormatTest {
    @TempDir Path directory;

    @Test
    void readsFeaturesAndLabelsByTheHeaderInAnyColumnOrder() throws Exception {
        Path file = directory.resolve("train.csv");
        Files.writeString(file, "x1, label ,x2\n0.5,2,-1e-3\n  3 ,0, 4\n\n");
        LabelledImages set = CsvFormat.read("train", file, CsvFormat.Layout.withHeader(), 3);
        assertThat(set.size()).isEqualTo(2);
        assertThat(set.pixels()).isDeepEqualTo(new double[][] {{0.5, -1e-3}, {3, 4}});
        assertThat(set.labels()).containsExactly(2, 0);
        assertThat(set.name()).isEqualTo("train");
    }

    @Test
    void withoutAHeaderColumnsAreNumberedAndTheLabelIsLastUnlessTold() {
        LabelledImages last = CsvFormat.parse("s", "s.csv", List.of("1,2,1", "3,4,0"),
                new CsvFormat.Layout(false, Optional.empty(), List.of(), ','), 2);
        assertThat(last.labels()).containsExactly(1, 0);
        assertThat(last.pixels()[1]).containsExactly(3, 4);
        LabelledImages first = CsvFormat.parse("s", "s.csv", List.of("1;2;7", "0;4;8"),
                new CsvFormat.Layout(false, Optional.of("1"), List.of("3"), ';'), 2);
        assertThat(first.labels()).containsExactly(1, 0);
        assertThat(first.pixels()).isDeepEqualTo(new double[][] {{7}, {8}});
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "a,label;1,2;3,1,0|s.csv:3 = 3 fields: expected 2 fields, as the header has",
            "a,label;x,1|s.csv:2 column 1 (a) = x: expected a number",
            "a,label;NaN,1|s.csv:2 column 1 (a) = NaN: expected a finite decimal number",
            "a,label;1e999,1|s.csv:2 column 1 (a) = 1e999: expected a finite decimal number",
            "a,label;0x1p3,1|s.csv:2 column 1 (a) = 0x1p3: expected a finite decimal number",
            "a,label;,1|s.csv:2 column 1 (a) = an empty field: expected a number",
            "a,label;1,3|s.csv:2 column 2 (label) = 3: expected a class index in 0..2",
            "a,label;1,-1|s.csv:2 column 2 (label) = -1: expected a class index in 0..2",
            "a,label;1,1.0|s.csv:2 column 2 (label) = 1.0: expected a class index, an integer in 0..2",
            "a,label;\"1\",1|s.csv:2 = a quoted field: expected plain fields (quotes are not supported)",
            "a,a;1,1|s.csv:1 column 2 = a: expected a name no other column has",
            "a,b;1,1|s.csv: label column = none named \"label\": expected a column named label, or the label column named in the data set's `label` key; the columns are [a, b]",
            "a,label;1,1;;2,0|s.csv:3 = a blank line: expected an example (blank lines only at the end)",
            "a,label|s.csv = a header and no examples: expected a CSV file with a header line and at least one example",
    })
    void aMalformedFileIsRefusedNamingTheLineAndColumn(String rows, String message) {
        List<String> lines = List.of(rows.split(";", -1));
        assertThatThrownBy(() -> CsvFormat.parse("s", "s.csv", lines, CsvFormat.Layout.withHeader(), 3))
                .isInstanceOf(InvalidInputException.class).hasMessage(message);
    }

    @Test
    void aMissingFileOrColumnIsNamed() {
        assertThatThrownBy(() -> CsvFormat.read("train", directory.resolve("none.csv"), CsvFormat.Layout.withHeader(), 2))
                .isInstanceOf(InvalidInputException.class).hasMessageStartingWith("train.file = ")
                .hasMessageEndingWith("expected an existing CSV file");
        assertThatThrownBy(() -> CsvFormat.parse("s", "s.csv", List.of("a,label", "1,0"),
                new CsvFormat.Layout(true, Optional.empty(), List.of("b"), ','), 2))
                .hasMessage("s.csv: features = b: expected one of the header's columns [a, label]");
        assertThatThrownBy(() -> CsvFormat.parse("s", "s.csv", List.of("1,0"),
                new CsvFormat.Layout(false, Optional.of("3"), List.of(), ','), 2))
                .hasMessage("s.csv: label = 3: expected a column position from 1 to 2 (the file has no header to name columns by)");
    }
}
