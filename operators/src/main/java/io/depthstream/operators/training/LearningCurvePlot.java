package io.depthstream.operators.training;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Learning curves of a training run as a PNG: the training loss per step (raw and smoothed) and, where the run
 * validated, the validation loss per epoch, on a shared step axis; a second panel shows the learning rate.
 */
public final class LearningCurvePlot {

    private static final int WIDTH = 960;
    private static final int HEIGHT = 600;
    private static final int LEFT = 80;
    private static final int RIGHT = 30;
    private static final Color TRAIN_RAW = new Color(160, 190, 230);
    private static final Color TRAIN = new Color(31, 119, 180);
    private static final Color VALIDATION = new Color(214, 39, 40);
    private static final Color RATE = new Color(44, 160, 44);

    private LearningCurvePlot() {
    }

    /**
     * Draws the curves of {@code steps} (rows with step, loss, lr) and {@code validation} (rows with step,
     * val_loss) into {@code png}, replacing it atomically.
     */
    public static void write(List<Map<String, Double>> steps, List<Map<String, Double>> validation, Path png)
            throws IOException {
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            double maxStep = 1;
            for (Map<String, Double> row : steps) {
                maxStep = Math.max(maxStep, row.getOrDefault("step", 0.0));
            }
            List<double[]> raw = series(steps, "step", "loss");
            List<double[]> smooth = movingAverage(raw, Math.max(1, raw.size() / 50));
            List<double[]> val = series(validation, "step", "val_loss");
            Panel loss = new Panel(40, 400, maxStep, range(raw, val));
            loss.frame(g, "loss (blue: training, smoothed; red: validation per epoch)");
            loss.line(g, raw, TRAIN_RAW, 1f);
            loss.line(g, smooth, TRAIN, 2f);
            loss.line(g, val, VALIDATION, 2f);
            loss.points(g, val, VALIDATION);
            List<double[]> rates = series(steps, "step", "lr");
            Panel rate = new Panel(470, 100, maxStep, range(rates, List.of()));
            rate.frame(g, "learning rate");
            rate.line(g, rates, RATE, 2f);
            g.setColor(Color.DARK_GRAY);
            g.drawString("step", WIDTH / 2, HEIGHT - 8);
        } finally {
            g.dispose();
        }
        Path parent = png.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path partial = parent.resolve(png.getFileName() + ".partial");
        if (!ImageIO.write(image, "png", partial.toFile())) {
            throw new IOException("no PNG writer available for " + png);
        }
        Files.move(partial, png, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static List<double[]> series(List<Map<String, Double>> rows, String x, String y) {
        List<double[]> points = new ArrayList<>();
        for (Map<String, Double> row : rows) {
            Double a = row.get(x);
            Double b = row.get(y);
            if (a != null && b != null && Double.isFinite(a) && Double.isFinite(b)) {
                points.add(new double[] {a, b});
            }
        }
        return points;
    }

    private static List<double[]> movingAverage(List<double[]> points, int window) {
        List<double[]> smoothed = new ArrayList<>(points.size());
        double sum = 0;
        for (int i = 0; i < points.size(); i++) {
            sum += points.get(i)[1];
            if (i >= window) {
                sum -= points.get(i - window)[1];
            }
            smoothed.add(new double[] {points.get(i)[0], sum / Math.min(i + 1, window)});
        }
        return smoothed;
    }

    private static double[] range(List<double[]> a, List<double[]> b) {
        double low = Double.POSITIVE_INFINITY;
        double high = Double.NEGATIVE_INFINITY;
        for (List<double[]> points : List.of(a, b)) {
            for (double[] point : points) {
                low = Math.min(low, point[1]);
                high = Math.max(high, point[1]);
            }
        }
        if (!(low <= high)) {
            return new double[] {0, 1};
        }
        double pad = Math.max((high - low) * 0.05, Math.abs(high) * 1e-3 + 1e-12);
        return new double[] {low - pad, high + pad};
    }

    /** One plot area with its axes. */
    private record Panel(int top, int height, double maxStep, double[] yRange) {

        int x(double step) {
            return LEFT + (int) Math.round(step / maxStep * (WIDTH - LEFT - RIGHT));
        }

        int y(double value) {
            return top + height - (int) Math.round((value - yRange[0]) / (yRange[1] - yRange[0]) * height);
        }

        void frame(Graphics2D g, String title) {
            g.setColor(Color.LIGHT_GRAY);
            g.drawRect(LEFT, top, WIDTH - LEFT - RIGHT, height);
            g.setColor(Color.DARK_GRAY);
            g.drawString(title, LEFT, top - 6);
            for (int tick = 0; tick <= 4; tick++) {
                double value = yRange[0] + (yRange[1] - yRange[0]) * tick / 4;
                g.drawString(String.format(Locale.ROOT, "%.3g", value), 8, y(value) + 4);
                double step = maxStep * tick / 4;
                g.drawString(String.format(Locale.ROOT, "%.0f", step), x(step) - 10, top + height + 16);
            }
        }

        void line(Graphics2D g, List<double[]> points, Color color, float width) {
            g.setColor(color);
            g.setStroke(new BasicStroke(width));
            for (int i = 1; i < points.size(); i++) {
                g.drawLine(x(points.get(i - 1)[0]), y(points.get(i - 1)[1]), x(points.get(i)[0]), y(points.get(i)[1]));
            }
        }

        void points(Graphics2D g, List<double[]> points, Color color) {
            g.setColor(color);
            for (double[] point : points) {
                g.fillOval(x(point[0]) - 4, y(point[1]) - 4, 8, 8);
            }
        }
    }
}
