package io.mobl.core.problem.quadratic;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mobl.core.linalg.Vectors;
import io.mobl.protocol.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Reads a quadratic problem from JSON:
 * <pre>{"type":"quadratic","A":[[…]],"B":[[…]],"objectives":[{"c":[…],"d":[…],"a":1.0},…]}</pre>
 * Every error names the JSON field, the value found and what was expected.
 */
public final class QuadraticProblemFile {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> TOP_LEVEL = Set.of("type", "A", "B", "objectives");
    private static final Set<String> OBJECTIVE = Set.of("c", "d", "a");

    private QuadraticProblemFile() {}

    public static QuadraticProblem read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new InvalidInputException("problem-file", file, "an existing JSON file");
        } catch (IOException e) {
            throw new InvalidInputException("problem-file", file, "a readable JSON file (" + e.getMessage() + ")");
        }
        return parse(text);
    }

    public static QuadraticProblem parse(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new InvalidInputException("problem-file", "line " + e.getLocation().getLineNr() + " column "
                    + e.getLocation().getColumnNr(), "valid JSON (" + e.getOriginalMessage() + ")");
        }
        if (root == null || !root.isObject()) throw new InvalidInputException("problem-file", root, "a JSON object");
        unknownFields("", root, TOP_LEVEL);
        JsonNode type = root.get("type");
        if (type == null || !"quadratic".equals(type.asText())) {
            throw new InvalidInputException("type", type, "\"quadratic\"");
        }
        double[][] a = matrix("A", root.get("A"));
        if (a.length != a[0].length) {
            throw new InvalidInputException("A", a.length + "×" + a[0].length, "a square q×q matrix");
        }
        double[][] b = matrix("B", root.get("B"));
        if (b.length != a.length) {
            throw new InvalidInputException("B", b.length + "×" + b[0].length, a.length + " rows (q, the size of A)");
        }
        int p = b[0].length;
        int q = a.length;
        JsonNode objectives = root.get("objectives");
        if (objectives == null || !objectives.isArray() || objectives.isEmpty()) {
            throw new InvalidInputException("objectives", objectives, "a non-empty array of {\"c\",\"d\",\"a\"} objects");
        }
        List<QuadraticObjective> list = new ArrayList<>();
        for (int s = 0; s < objectives.size(); s++) {
            String prefix = "objectives[" + s + "]";
            JsonNode o = objectives.get(s);
            if (!o.isObject()) throw new InvalidInputException(prefix, o, "an object with c, d and a");
            unknownFields(prefix + ".", o, OBJECTIVE);
            double[] c = vector(prefix + ".c", o.get("c"), q);
            double[] d = vector(prefix + ".d", o.get("d"), p);
            JsonNode weight = o.get("a");
            double aw = weight == null ? 1.0 : number(prefix + ".a", weight);
            if (!(aw >= 0)) throw new InvalidInputException(prefix + ".a", aw, "a finite number >= 0");
            list.add(new QuadraticObjective(Vectors.of(c), Vectors.of(d), aw));
        }
        return new QuadraticProblem(new DenseMap.SymmetricPositive("A", a), new DenseMap(b), list);
    }

    private static void unknownFields(String prefix, JsonNode node, Set<String> known) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!known.contains(name)) {
                throw new InvalidInputException(prefix + name, node.get(name), "one of the fields " + known);
            }
        }
    }

    private static double[][] matrix(String field, JsonNode node) {
        if (node == null || !node.isArray() || node.isEmpty()) {
            throw new InvalidInputException(field, node, "a non-empty array of rows");
        }
        int columns = -1;
        double[][] m = new double[node.size()][];
        for (int i = 0; i < node.size(); i++) {
            JsonNode row = node.get(i);
            if (!row.isArray() || row.isEmpty()) {
                throw new InvalidInputException(field + "[" + i + "]", row, "a non-empty array of numbers");
            }
            if (columns < 0) columns = row.size();
            if (row.size() != columns) {
                throw new InvalidInputException(field + "[" + i + "]", "length " + row.size(),
                        "length " + columns + " (every row of " + field + " the same length)");
            }
            m[i] = new double[columns];
            for (int j = 0; j < columns; j++) m[i][j] = number(field + "[" + i + "][" + j + "]", row.get(j));
        }
        return m;
    }

    private static double[] vector(String field, JsonNode node, int length) {
        if (node == null || !node.isArray()) throw new InvalidInputException(field, node, "an array of " + length + " numbers");
        if (node.size() != length) throw new InvalidInputException(field, "length " + node.size(), "length " + length);
        double[] v = new double[length];
        for (int i = 0; i < length; i++) v[i] = number(field + "[" + i + "]", node.get(i));
        return v;
    }

    private static double number(String field, JsonNode node) {
        if (node == null || !node.isNumber()) throw new InvalidInputException(field, node, "a finite number");
        double value = node.asDouble();
        if (!Double.isFinite(value)) throw new InvalidInputException(field, value, "a finite number");
        return value;
    }
}
