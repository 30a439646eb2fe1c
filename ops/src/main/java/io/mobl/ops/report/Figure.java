package io.mobl.ops.report;

import de.erichseifert.vectorgraphics2d.VectorGraphics2D;
import de.erichseifert.vectorgraphics2d.svg.SVGProcessor;
import de.erichseifert.vectorgraphics2d.util.PageSize;
import io.mobl.protocol.InvalidInputException;
import org.knowm.xchart.XYChart;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * One or more XChart panels side by side, drawn at a requested size as PNG or SVG. XChart's own encoders
 * save one chart per file; a figure draws several (the three projections of a 3-objective front) into one.
 * Every panel gets an equal share of the width and the full height.
 */
public final class Figure {
    /** Smallest height, and smallest width per panel, a figure is drawn at; below it XChart's axes do not fit. */
    public static final int MIN_SIZE = 100;
    /** Largest width and height, to keep an image (4 bytes per pixel) within memory. */
    public static final int MAX_SIZE = 20_000;

    private final List<XYChart> panels;

    public Figure(List<XYChart> panels) {
        if (panels == null || panels.isEmpty()) throw new IllegalArgumentException("a figure needs at least one panel");
        this.panels = List.copyOf(panels);
    }

    public List<XYChart> panels() {
        return panels;
    }

    /** Draws every panel into {@code g}, which covers {@code width × height}. */
    public void paint(Graphics2D g, int width, int height) {
        checkSize(width, height);
        int x = 0;
        for (int i = 0; i < panels.size(); i++) {
            int panelWidth = (width - x) / (panels.size() - i);
            Graphics2D panel = (Graphics2D) g.create(x, 0, panelWidth, height);
            try {
                panels.get(i).paint(panel, panelWidth, height);
            } finally {
                panel.dispose();
            }
            x += panelWidth;
        }
    }

    /** The figure as a PNG image of exactly {@code width × height} pixels. */
    public byte[] png(int width, int height) {
        checkSize(width, height);
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            paint(g, width, height);
        } finally {
            g.dispose();
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, "png", bytes)) throw new IllegalStateException("no PNG writer in this JVM");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** The figure as a standalone SVG document of {@code width × height} user units. */
    public String svg(int width, int height) {
        checkSize(width, height);
        VectorGraphics2D g = new VectorGraphics2D();
        paint(g, width, height);
        g.dispose();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            new SVGProcessor().getDocument(g.getCommands(), new PageSize(0, 0, width, height)).writeTo(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** The SVG without its XML declaration and doctype, to place inside an HTML page. */
    public String inlineSvg(int width, int height) {
        String svg = svg(width, height);
        int start = svg.indexOf("<svg");
        return start < 0 ? svg : svg.substring(start);
    }

    /** Writes the figure in the format its file name says: {@code .png} or {@code .svg}. */
    void write(OutputStream out, String format, int width, int height) throws IOException {
        switch (format) {
            case "png" -> out.write(png(width, height));
            case "svg" -> out.write(svg(width, height).getBytes(StandardCharsets.UTF_8));
            default -> throw new IllegalArgumentException("format " + format);
        }
    }

    /** The lower-case extension of {@code fileName}, or "" when it has none. */
    static String extension(String fileName) {
        int dot = fileName.lastIndexOf('.');
        return dot < 0 ? "" : fileName.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    private void checkSize(int width, int height) {
        int minWidth = MIN_SIZE * panels.size();
        if (width < minWidth || width > MAX_SIZE) {
            throw new InvalidInputException("width", width, "pixels in [" + minWidth + ", " + MAX_SIZE + "] ("
                    + panels.size() + " panel" + (panels.size() == 1 ? "" : "s") + ")");
        }
        if (height < MIN_SIZE || height > MAX_SIZE) {
            throw new InvalidInputException("height", height, "pixels in [" + MIN_SIZE + ", " + MAX_SIZE + "]");
        }
    }
}
