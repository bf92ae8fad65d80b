package dev.newsclassifier.evaluation;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Writes {@code report.json} (for machines) and {@code report.html} (for people: one
 * self-contained page, charts as inline SVG, no scripts or styles from the network).
 */
public final class ReportWriter {

    public static final String JSON_FILE = "report.json";
    public static final String HTML_FILE = "report.html";
    private static final int DIFFERENCES_IN_HTML = 500;

    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT);

    private ReportWriter() {
    }

    /** Writes both files into {@code dir} (created if needed). */
    public static void write(Report report, Path dir) throws IOException {
        Files.createDirectories(dir);
        JSON.writeValue(dir.resolve(JSON_FILE).toFile(), report);
        Files.writeString(dir.resolve(HTML_FILE), html(report), StandardCharsets.UTF_8);
    }

    public static ObjectMapper json() {
        return JSON;
    }

    static String html(Report report) {
        StringBuilder html = new StringBuilder(64 * 1024);
        String title = ("evaluate".equals(report.kind()) ? "Evaluation of run " : "Evaluation of ") + report.name();
        html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append("<title>").append(Svg.escape(title)).append("</title><style>")
                .append("body{font-family:sans-serif;margin:24px;color:#222;background:#fff;max-width:1160px}")
                .append("h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd}")
                .append(".cards{display:flex;flex-wrap:wrap;gap:12px}")
                .append(".card{border:1px solid #ddd;border-radius:6px;padding:10px 16px;min-width:150px}")
                .append(".card .value{font-size:24px;font-weight:bold;color:#4e79a7}.card .name{font-size:12px;color:#666}")
                .append("table{border-collapse:collapse;font-size:13px}td,th{padding:3px 10px;border-bottom:1px solid #eee;text-align:left}")
                .append("td.num,th.num{text-align:right}.meta td:first-child{color:#666}")
                .append(".charts{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}.note{color:#a33}")
                .append("figure{margin:0}figcaption{font-size:12px;color:#666;margin-top:4px}")
                .append("</style></head><body>\n");
        html.append("<h1>").append(Svg.escape(title)).append("</h1>\n<table class=\"meta\">");
        meta(html, "source", report.source());
        meta(html, "model", String.join(", ", report.models()));
        meta(html, "articles", report.articles() + " (" + report.labeled() + " with a known label)");
        meta(html, "generated", report.generatedAt());
        html.append("</table>\n");
        for (String note : report.notes()) {
            html.append("<p class=\"note\">").append(Svg.escape(note)).append("</p>\n");
        }

        Metrics m = report.metrics();
        html.append("<div class=\"cards\">");
        card(html, "accuracy", m.total() == 0 ? "-" : pct(m.accuracy()));
        card(html, "macro-F1", m.total() == 0 ? "-" : ReportPrinter.f4(m.macroF1()));
        if (report.throughput() != null) {
            card(html, "throughput", String.format(Locale.ROOT, "%.1f/s", report.throughput().articlesPerSecond()));
        }
        if (report.latency() != null) {
            card(html, "latency p50", report.latency().p50() + " ms");
            card(html, "latency p95", report.latency().p95() + " ms");
            card(html, "latency p99", report.latency().p99() + " ms");
        }
        html.append("</div>\n");

        if (m.total() > 0) {
            html.append("<h2>Quality</h2>\n<div class=\"charts\"><figure>").append(Svg.heatmap(m))
                    .append("<figcaption>Confusion matrix (rows: true label; shade: share of the row)</figcaption></figure>")
                    .append("<figure>").append(Svg.classBars(m))
                    .append("<figcaption>Precision, recall and F1 per label</figcaption></figure></div>\n");
            classTable(html, m);
            if (report.reliability() != null) {
                html.append(String.format(Locale.ROOT, "<h2>Confidence</h2>\n<div class=\"charts\"><figure>%s"
                        + "<figcaption>Reliability: accuracy of the articles in each confidence bin (count above the "
                        + "bar); a calibrated model follows the dashed diagonal. Expected calibration error %.4f"
                        + "</figcaption></figure></div>\n", Svg.reliabilityDiagram(report.reliability()),
                        report.reliability().expectedCalibrationError()));
            }
            misclassified(html, report);
        } else {
            html.append("<p>No article has a known label, so there are no quality metrics.</p>\n");
        }

        if (report.throughput() != null) {
            html.append("<h2>Speed</h2>\n<div class=\"charts\">");
            if (report.latency() != null) {
                html.append("<figure>").append(Svg.latencyHistogram(report.latency())).append(
                        "<figcaption>End-to-end latency: record timestamp (publish) to classified_at</figcaption></figure>");
            }
            html.append("<figure>").append(Svg.throughputLine(report.throughput())).append(String.format(Locale.ROOT,
                    "<figcaption>Articles classified per second (buckets of %s s)</figcaption>",
                    trim(report.throughput().bucketSeconds()))).append("</figure></div>\n");
        }

        if (report.comparison() != null) {
            comparison(html, report.comparison());
        }
        html.append("</body></html>\n");
        return html.toString();
    }

    private static void classTable(StringBuilder html, Metrics m) {
        html.append("<table class=\"per-class\"><tr><th>label</th><th class=\"num\">precision</th><th class=\"num\">recall</th>")
                .append("<th class=\"num\">F1</th><th class=\"num\">support</th><th class=\"num\">predicted</th></tr>");
        for (ClassMetrics c : m.perClass()) {
            html.append("<tr><td>").append(Svg.escape(c.label())).append("</td>");
            num(html, ReportPrinter.f4(c.precision()));
            num(html, ReportPrinter.f4(c.recall()));
            num(html, ReportPrinter.f4(c.f1()));
            num(html, Long.toString(c.support()));
            num(html, Long.toString(c.predicted()));
            html.append("</tr>");
        }
        html.append(String.format(Locale.ROOT, "<tr><td>macro avg</td><td></td><td></td><td class=\"num\">%s</td>"
                + "<td class=\"num\">%d</td><td></td></tr></table>\n", ReportPrinter.f4(m.macroF1()), m.total()));
    }

    private static void comparison(StringBuilder html, Comparison c) {
        html.append("<h2>Comparison</h2>\n<table class=\"comparison\"><tr><th></th><th class=\"num\">articles</th>")
                .append("<th class=\"num\">accuracy</th><th class=\"num\">macro-F1</th></tr>");
        for (int k = 0; k < 2; k++) {
            String name = k == 0 ? c.baseline() + " (baseline)" : c.candidate() + " (candidate)";
            Metrics m = k == 0 ? c.baselineMetrics() : c.candidateMetrics();
            html.append("<tr><td>").append(Svg.escape(name)).append("</td>");
            num(html, Long.toString(k == 0 ? c.baselineArticles() : c.candidateArticles()));
            num(html, ReportPrinter.f4(m.accuracy()));
            num(html, ReportPrinter.f4(m.macroF1()));
            html.append("</tr>");
        }
        html.append("</table>\n").append(String.format(Locale.ROOT,
                "<p>Agreement: <b>%s</b> (%d of %d articles present in both; %d differ).</p>%n", pct(c.agreement()),
                c.agreeing(), c.compared(), c.differences().size()));
        if (!c.differences().isEmpty()) {
            html.append("<table class=\"differences\"><tr><th>id</th><th>true</th><th>baseline</th><th class=\"num\">conf</th>")
                    .append("<th>candidate</th><th class=\"num\">conf</th><th>title</th></tr>");
            List<Comparison.Difference> shown = c.differences().subList(0,
                    Math.min(DIFFERENCES_IN_HTML, c.differences().size()));
            for (Comparison.Difference d : shown) {
                html.append("<tr class=\"difference\"><td>").append(Svg.escape(d.id())).append("</td><td>")
                        .append(Svg.escape(d.trueLabel() == null ? "-" : d.trueLabel())).append("</td><td>")
                        .append(Svg.escape(d.baselineLabel())).append("</td>");
                num(html, ReportPrinter.f3(d.baselineConfidence()));
                html.append("<td>").append(Svg.escape(d.candidateLabel())).append("</td>");
                num(html, ReportPrinter.f3(d.candidateConfidence()));
                html.append("<td>").append(Svg.escape(d.title())).append("</td></tr>");
            }
            html.append("</table>\n");
            if (c.differences().size() > shown.size()) {
                html.append("<p>... and ").append(c.differences().size() - shown.size())
                        .append(" more in report.json.</p>\n");
            }
        }
    }

    private static void misclassified(StringBuilder html, Report report) {
        if (report.misclassified().isEmpty()) {
            return;
        }
        html.append(String.format(Locale.ROOT, "<h2>Misclassified</h2>\n<p>%d of %d labeled articles are wrong; the "
                + "%d the model was surest of come first.</p>\n", report.misclassifiedCount(), report.labeled(),
                report.misclassified().size()));
        html.append("<table class=\"misclassified\"><tr><th>id</th><th>text</th><th>true</th><th>predicted</th>"
                + "<th class=\"num\">confidence</th><th>words that decided</th></tr>\n");
        for (Prediction p : report.misclassified()) {
            html.append("<tr class=\"misclassified-row\"><td>").append(Svg.escape(p.id())).append("</td><td>")
                    .append(Svg.escape(p.title())).append("</td><td>").append(Svg.escape(p.trueLabel()))
                    .append("</td><td>").append(Svg.escape(p.predicted())).append("</td><td class=\"num\">")
                    .append(String.format(Locale.ROOT, "%.3f", p.confidence())).append("</td><td>")
                    .append(Svg.escape(String.join(", ", p.topWords()))).append("</td></tr>\n");
        }
        html.append("</table>\n");
    }

    private static void meta(StringBuilder html, String name, String value) {
        html.append("<tr><td>").append(name).append("</td><td>").append(Svg.escape(value)).append("</td></tr>");
    }

    private static void card(StringBuilder html, String name, String value) {
        html.append("<div class=\"card\"><div class=\"value\">").append(Svg.escape(value))
                .append("</div><div class=\"name\">").append(name).append("</div></div>");
    }

    private static void num(StringBuilder html, String value) {
        html.append("<td class=\"num\">").append(value).append("</td>");
    }

    private static String pct(double value) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * value);
    }

    private static String trim(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }
}
