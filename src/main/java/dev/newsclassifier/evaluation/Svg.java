package dev.newsclassifier.evaluation;

import java.util.List;
import java.util.Locale;

/** The report's charts as inline SVG, drawn here so the HTML needs nothing from the network. */
final class Svg {

    static final String[] SERIES_COLOURS = {"#4e79a7", "#f28e2b", "#59a14f"};
    private static final String FONT = "font-family=\"sans-serif\" font-size=\"12\"";

    private Svg() {
    }

    /** Rows true label, columns predicted; each cell shaded by its share of its row. */
    static String heatmap(Metrics metrics) {
        List<String> labels = metrics.labels();
        long[][] counts = metrics.confusion();
        int n = labels.size();
        int cell = 72;
        int left = 110;
        int top = 60;
        int width = left + n * cell + 20;
        int height = top + n * cell + 40;
        StringBuilder svg = open("confusion-matrix", width, height, "Confusion matrix: rows true label, columns predicted");
        text(svg, left + n * cell / 2.0, 16, "middle", "predicted label", "axis-title");
        text(svg, 14, top + n * cell / 2.0, "middle", "true label", "axis-title rotate");
        for (int j = 0; j < n; j++) {
            text(svg, left + j * cell + cell / 2.0, top - 10, "middle", labels.get(j), "tick");
        }
        for (int i = 0; i < n; i++) {
            long rowSum = 0;
            for (long value : counts[i]) {
                rowSum += value;
            }
            text(svg, left - 8, top + i * cell + cell / 2.0 + 4, "end", labels.get(i), "tick");
            for (int j = 0; j < n; j++) {
                double share = rowSum == 0 ? 0 : (double) counts[i][j] / rowSum;
                svg.append(String.format(Locale.ROOT,
                        "<rect class=\"heatmap-cell\" data-row=\"%d\" data-col=\"%d\" data-count=\"%d\" x=\"%d\" y=\"%d\" "
                                + "width=\"%d\" height=\"%d\" fill=\"%s\" stroke=\"#ffffff\" stroke-width=\"2\">"
                                + "<title>true %s, predicted %s: %d (%.1f%% of the row)</title></rect>",
                        i, j, counts[i][j], left + j * cell, top + i * cell, cell, cell, blue(share),
                        escape(labels.get(i)), escape(labels.get(j)), counts[i][j], 100 * share));
                svg.append(String.format(Locale.ROOT,
                        "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" %s fill=\"%s\">%d</text>",
                        left + j * cell + cell / 2.0, top + i * cell + cell / 2.0 + 4, FONT,
                        share > 0.5 ? "#ffffff" : "#222222", counts[i][j]));
            }
        }
        return svg.append("</svg>").toString();
    }

    /** Precision, recall and F1 per label, grouped, on a 0..1 axis. */
    static String classBars(Metrics metrics) {
        List<ClassMetrics> classes = metrics.perClass();
        int group = 96;
        int left = 50;
        int top = 30;
        int plot = 220;
        int width = left + Math.max(1, classes.size()) * group + 130;
        int height = top + plot + 50;
        StringBuilder svg = open("class-bars", width, height, "Precision, recall and F1 per label");
        for (int tick = 0; tick <= 4; tick++) {
            double y = top + plot - tick * plot / 4.0;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#dddddd\"/>",
                    left, y, left + classes.size() * group, y));
            text(svg, left - 6, y + 4, "end", String.format(Locale.ROOT, "%.2f", tick / 4.0), "tick");
        }
        String[] names = {"precision", "recall", "f1"};
        int bar = 24;
        for (int c = 0; c < classes.size(); c++) {
            ClassMetrics m = classes.get(c);
            double[] values = {m.precision(), m.recall(), m.f1()};
            double x0 = left + c * group + (group - 3 * bar) / 2.0;
            for (int s = 0; s < 3; s++) {
                double h = values[s] * plot;
                svg.append(String.format(Locale.ROOT,
                        "<rect class=\"bar bar-%s\" x=\"%.1f\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"%s\">"
                                + "<title>%s %s: %.3f</title></rect>",
                        names[s], x0 + s * bar, top + plot - h, bar - 2, h, SERIES_COLOURS[s], escape(m.label()), names[s],
                        values[s]));
            }
            text(svg, left + c * group + group / 2.0, top + plot + 18, "middle", m.label(), "tick");
        }
        legend(svg, left + classes.size() * group + 16, top + 10, names);
        return svg.append("</svg>").toString();
    }

    /** End-to-end latency histogram with the p50, p95 and p99 marked. */
    static String latencyHistogram(Latency latency) {
        List<Latency.Bin> bins = latency.histogram();
        int left = 50;
        int top = 20;
        int plotWidth = 640;
        int plot = 220;
        long peak = bins.stream().mapToLong(Latency.Bin::count).max().orElse(1);
        long from = bins.get(0).fromMillis();
        long to = bins.get(bins.size() - 1).toMillis();
        double barWidth = plotWidth / (double) bins.size();
        StringBuilder svg = open("latency-histogram", left + plotWidth + 30, top + plot + 50,
                "End-to-end latency histogram (ms)");
        axes(svg, left, top, plotWidth, plot);
        for (int i = 0; i < bins.size(); i++) {
            Latency.Bin bin = bins.get(i);
            double h = peak == 0 ? 0 : bin.count() * plot / (double) peak;
            svg.append(String.format(Locale.ROOT,
                    "<rect class=\"histogram-bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#4e79a7\">"
                            + "<title>%d-%d ms: %d</title></rect>",
                    left + i * barWidth + 1, top + plot - h, Math.max(1, barWidth - 2), h, bin.fromMillis(),
                    bin.toMillis(), bin.count()));
        }
        String[] marks = {"p50", "p95", "p99"};
        long[] values = {latency.p50(), latency.p95(), latency.p99()};
        for (int k = 0; k < 3; k++) {
            double x = left + (values[k] - from) * plotWidth / (double) Math.max(1, to - from);
            svg.append(String.format(Locale.ROOT,
                    "<line class=\"percentile-marker\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#e15759\" "
                            + "stroke-dasharray=\"4 3\"/>", x, top, x, top + plot));
            boolean nearRightEdge = x > left + plotWidth * 0.7;
            text(svg, nearRightEdge ? x - 3 : x + 3, top + 12 + 14 * k, nearRightEdge ? "end" : "start",
                    marks[k] + " " + values[k] + " ms", "marker");
        }
        text(svg, left, top + plot + 18, "middle", from + " ms", "tick");
        text(svg, left + plotWidth, top + plot + 18, "middle", to + " ms", "tick");
        text(svg, 12, top + 10, "start", Long.toString(peak), "tick");
        return svg.append("</svg>").toString();
    }

    /** Articles per second over time, one point per bucket. */
    static String throughputLine(Throughput throughput) {
        List<Throughput.Point> points = throughput.series();
        int left = 60;
        int top = 20;
        int plotWidth = 640;
        int plot = 200;
        double peak = points.stream().mapToDouble(Throughput.Point::articlesPerSecond).max().orElse(1);
        peak = peak <= 0 ? 1 : peak;
        double end = points.isEmpty() ? 1 : points.get(points.size() - 1).secondsFromStart() + throughput.bucketSeconds();
        StringBuilder svg = open("throughput-over-time", left + plotWidth + 30, top + plot + 50,
                "Throughput over time (articles per second)");
        axes(svg, left, top, plotWidth, plot);
        StringBuilder path = new StringBuilder();
        StringBuilder area = new StringBuilder();
        for (int i = 0; i < points.size(); i++) {
            Throughput.Point p = points.get(i);
            double x = left + (p.secondsFromStart() + throughput.bucketSeconds() / 2) * plotWidth / end;
            double y = top + plot - p.articlesPerSecond() * plot / peak;
            path.append(String.format(Locale.ROOT, "%s%.1f %.1f ", i == 0 ? "M" : "L", x, y));
            if (i == 0) {
                area.append(String.format(Locale.ROOT, "M%.1f %d ", x, top + plot));
            }
            area.append(String.format(Locale.ROOT, "L%.1f %.1f ", x, y));
            if (i == points.size() - 1) {
                area.append(String.format(Locale.ROOT, "L%.1f %d Z", x, top + plot));
            }
            svg.append(String.format(Locale.ROOT,
                    "<circle class=\"throughput-point\" cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"#f28e2b\">"
                            + "<title>%.1f s: %.1f articles/s</title></circle>", x, y, p.secondsFromStart(),
                    p.articlesPerSecond()));
        }
        if (points.size() == 1) {
            path.append("h 1");
        }
        svg.append("<path class=\"throughput-area\" d=\"").append(area.toString().strip())
                .append("\" fill=\"#f28e2b\" fill-opacity=\"0.15\" stroke=\"none\"/>");
        svg.append("<path class=\"throughput-line\" d=\"").append(path.toString().strip())
                .append("\" fill=\"none\" stroke=\"#f28e2b\" stroke-width=\"2\"/>");
        text(svg, left - 6, top + 8, "end", String.format(Locale.ROOT, "%.1f/s", peak), "tick");
        text(svg, left - 6, top + plot, "end", "0", "tick");
        text(svg, left, top + plot + 18, "middle", "0 s", "tick");
        text(svg, left + plotWidth, top + plot + 18, "middle", String.format(Locale.ROOT, "%.1f s", end), "tick");
        return svg.append("</svg>").toString();
    }

    /** Accuracy per confidence bin as bars against the diagonal a calibrated model would follow. */
    static String reliabilityDiagram(Reliability reliability) {
        int width = 420;
        int height = 300;
        int left = 50;
        int top = 16;
        int plotWidth = width - left - 20;
        int plot = height - top - 46;
        StringBuilder svg = open("reliability", width, height, "Reliability: accuracy against confidence");
        axes(svg, left, top, plotWidth, plot);
        svg.append(String.format(Locale.ROOT, "<path class=\"diagonal\" d=\"M%d %d L%d %d\" stroke=\"#888888\" "
                + "stroke-dasharray=\"4 3\" fill=\"none\"/>", left, top + plot, left + plotWidth, top));
        double binWidth = plotWidth / (double) reliability.bins().size();
        for (int i = 0; i < reliability.bins().size(); i++) {
            Reliability.Bin bin = reliability.bins().get(i);
            if (bin.count() == 0) {
                continue;
            }
            double x = left + i * binWidth + 2;
            double barHeight = bin.accuracy() * plot;
            svg.append(String.format(Locale.ROOT, "<rect class=\"reliability-bin\" data-count=\"%d\" x=\"%.1f\" "
                    + "y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>confidence %.1f-%.1f: %d articles, "
                    + "accuracy %.3f, mean confidence %.3f</title></rect>", bin.count(), x, top + plot - barHeight,
                    binWidth - 4, barHeight, SERIES_COLOURS[0], bin.from(), bin.to(), bin.count(), bin.accuracy(),
                    bin.meanConfidence()));
            text(svg, x + (binWidth - 4) / 2, top + plot - barHeight - 3, "middle", Long.toString(bin.count()), "tick");
        }
        text(svg, left - 6, top + 8, "end", "1.0", "tick");
        text(svg, left - 6, top + plot, "end", "0", "tick");
        text(svg, left, top + plot + 16, "middle", "0", "tick");
        text(svg, left + plotWidth, top + plot + 16, "middle", "1.0", "tick");
        text(svg, left + plotWidth / 2.0, top + plot + 34, "middle", "confidence (top probability)", "tick");
        text(svg, 14, top + plot / 2.0, "middle", "accuracy", "tick rotate");
        return svg.append("</svg>").toString();
    }

    private static StringBuilder open(String id, int width, int height, String title) {
        return new StringBuilder(String.format(Locale.ROOT,
                "<svg id=\"%s\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                        + "viewBox=\"0 0 %d %d\" role=\"img\"><title>%s</title>", id, width, height, width, height,
                escape(title)));
    }

    private static void axes(StringBuilder svg, int left, int top, int plotWidth, int plot) {
        svg.append(String.format(Locale.ROOT, "<path class=\"axis\" d=\"M%d %d V%d H%d\" fill=\"none\" stroke=\"#888888\"/>",
                left, top, top + plot, left + plotWidth));
    }

    private static void legend(StringBuilder svg, double x, double y, String[] names) {
        for (int s = 0; s < names.length; s++) {
            svg.append(String.format(Locale.ROOT, "<rect class=\"legend\" x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"12\" "
                    + "fill=\"%s\"/>", x, y + s * 20, SERIES_COLOURS[s]));
            text(svg, x + 18, y + s * 20 + 10, "start", names[s], "tick");
        }
    }

    private static void text(StringBuilder svg, double x, double y, String anchor, String text, String cssClass) {
        String transform = cssClass.contains("rotate")
                ? String.format(Locale.ROOT, " transform=\"rotate(-90 %.1f %.1f)\"", x, y) : "";
        svg.append(String.format(Locale.ROOT, "<text class=\"%s\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" %s fill=\"#333333\"%s>%s</text>",
                cssClass, x, y, anchor, FONT, transform, escape(text)));
    }

    /** White to dark blue by {@code share} in [0, 1]. */
    static String blue(double share) {
        int r = (int) Math.round(247 + (8 - 247) * share);
        int g = (int) Math.round(251 + (48 - 251) * share);
        int b = (int) Math.round(255 + (107 - 255) * share);
        return String.format(Locale.ROOT, "#%02x%02x%02x", r, g, b);
    }

    static String escape(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
