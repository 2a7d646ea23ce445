package io.depthstream.pipeline.cli;

import io.depthstream.model.eval.DepthMetrics;
import io.depthstream.model.eval.EigenReport;

import java.util.Locale;

/**
 * An Eigen evaluation printed exactly as monodepth2's {@code evaluate_depth.py} prints it, so numbers can be pasted
 * next to published tables and compared by eye or by script.
 */
public final class EigenTable {

    /** The column names line (monodepth2 writes each as {@code {:>8} | }, trailing space included). */
    public static final String HEADER = "  " + columns("abs_rel", "sq_rel", "rmse", "rmse_log", "a1", "a2", "a3");

    private EigenTable() {
    }

    /** The values line, {@code &{: 8.3f}  } per metric and a closing LaTeX row break. */
    public static String row(DepthMetrics metrics) {
        StringBuilder line = new StringBuilder();
        for (double value : metrics.toArray()) {
            line.append(String.format(Locale.ROOT, "&% 8.3f  ", value));
        }
        return line.append("\\\\").toString();
    }

    /** The scaling-ratio line monodepth2 prints after median scaling. */
    public static String ratios(EigenReport report) {
        return String.format(Locale.ROOT, " Scaling ratios | med: %.3f | std: %.3f", report.ratioMedian(), report.ratioStd());
    }

    private static String columns(String... names) {
        StringBuilder line = new StringBuilder();
        for (String name : names) {
            line.append(String.format(Locale.ROOT, "%8s | ", name));
        }
        return line.toString();
    }
}
