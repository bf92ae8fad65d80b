package dev.newsclassifier.evaluation;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/** The report as people read it in a terminal. */
public final class ReportPrinter {

    private static final int DIFFERENCES_SHOWN = 20;

    private ReportPrinter() {
    }

    public static void print(Report report, PrintWriter out) {
        out.printf(Locale.ROOT, "%s %s (%s)%n", "evaluate".equals(report.kind()) ? "Run" : "File", report.name(),
                report.source());
        out.printf(Locale.ROOT, "  model                %s%n", String.join(", ", report.models()));
        out.printf(Locale.ROOT, "  articles             %d (%d with a known label)%n", report.articles(), report.labeled());
        Metrics m = report.metrics();
        if (m.total() > 0) {
            out.printf(Locale.ROOT, "  accuracy             %.4f (%d of %d)%n", m.accuracy(), m.correct(), m.total());
            out.printf(Locale.ROOT, "  macro-F1             %.4f%n", m.macroF1());
        }
        Throughput t = report.throughput();
        if (t != null) {
            out.printf(Locale.ROOT, "  throughput           %.1f articles/s (%d in %.2f s)%n", t.articlesPerSecond(),
                    t.articles(), t.spanSeconds());
        }
        if (report.latency() != null) {
            Latency l = report.latency();
            out.printf(Locale.ROOT, "  end-to-end latency   p50 %d ms, p95 %d ms, p99 %d ms (min %d, max %d)%n", l.p50(),
                    l.p95(), l.p99(), l.min(), l.max());
        }
        if (m.total() > 0) {
            out.println();
            printClasses(m, out);
            out.println();
            printConfusion(m, out);
        }
        if (report.reliability() != null && m.total() > 0) {
            out.printf(Locale.ROOT, "%nexpected calibration error %.4f (the reliability diagram is in report.html)%n",
                    report.reliability().expectedCalibrationError());
        }
        if (!report.misclassified().isEmpty()) {
            out.println();
            printMisclassified(report, out);
        }
        if (report.comparison() != null) {
            out.println();
            printComparison(report.comparison(), out);
        }
        for (String note : report.notes()) {
            out.println("Note: " + note);
        }
        out.flush();
    }

    /** The errors the model was surest of, a few: the whole list is in the report's files. */
    private static void printMisclassified(Report report, PrintWriter out) {
        int shown = Math.min(10, report.misclassified().size());
        out.printf("%d misclassified; the %d most confident:%n", report.misclassifiedCount(), shown);
        TextTable table = new TextTable("TRUE", "PREDICTED", "CONFIDENCE>", "TEXT", "WORDS THAT DECIDED");
        for (Prediction p : report.misclassified().subList(0, shown)) {
            String text = p.title().length() > 60 ? p.title().substring(0, 57) + "..." : p.title();
            table.row(p.trueLabel(), p.predicted(), f4(p.confidence()), text, String.join(", ", p.topWords()));
        }
        table.print(out, "  ");
    }

    static void printClasses(Metrics m, PrintWriter out) {
        TextTable table = new TextTable("LABEL", "PRECISION>", "RECALL>", "F1>", "SUPPORT>", "PREDICTED>");
        for (ClassMetrics c : m.perClass()) {
            table.row(c.label(), f4(c.precision()), f4(c.recall()), f4(c.f1()), c.support(), c.predicted());
        }
        table.row("macro avg", "", "", f4(m.macroF1()), m.total(), "");
        table.print(out, "  ");
    }

    static void printConfusion(Metrics m, PrintWriter out) {
        List<String> labels = m.labels();
        String[] headers = new String[labels.size() + 1];
        headers[0] = "TRUE \\ PREDICTED";
        for (int j = 0; j < labels.size(); j++) {
            headers[j + 1] = labels.get(j) + ">";
        }
        TextTable table = new TextTable(headers);
        for (int i = 0; i < labels.size(); i++) {
            Object[] row = new Object[labels.size() + 1];
            row[0] = labels.get(i);
            for (int j = 0; j < labels.size(); j++) {
                row[j + 1] = m.confusion()[i][j];
            }
            table.row(row);
        }
        table.print(out, "  ");
    }

    static void printComparison(Comparison c, PrintWriter out) {
        out.printf(Locale.ROOT, "Comparison: %s (baseline) vs %s (candidate)%n", c.baseline(), c.candidate());
        TextTable table = new TextTable("", "ARTICLES>", "ACCURACY>", "MACRO-F1>");
        table.row(c.baseline(), c.baselineArticles(), f4(c.baselineMetrics().accuracy()), f4(c.baselineMetrics().macroF1()));
        table.row(c.candidate(), c.candidateArticles(), f4(c.candidateMetrics().accuracy()),
                f4(c.candidateMetrics().macroF1()));
        table.print(out, "  ");
        out.printf(Locale.ROOT, "  agreement            %.4f (%d of %d articles in both; %d differ)%n", c.agreement(),
                c.agreeing(), c.compared(), c.differences().size());
        if (!c.differences().isEmpty()) {
            out.println();
            TextTable differences = new TextTable("ID", "TRUE", "BASELINE", "CONF>", "CANDIDATE", "CONF>", "TITLE")
                    .maxWidth(0, 24).maxWidth(6, 50);
            for (Comparison.Difference d : c.differences().subList(0, Math.min(DIFFERENCES_SHOWN, c.differences().size()))) {
                differences.row(d.id(), d.trueLabel() == null ? "-" : d.trueLabel(), d.baselineLabel(),
                        f3(d.baselineConfidence()), d.candidateLabel(), f3(d.candidateConfidence()), d.title());
            }
            differences.print(out, "  ");
            if (c.differences().size() > DIFFERENCES_SHOWN) {
                out.printf("  ... and %d more (all of them in the report)%n", c.differences().size() - DIFFERENCES_SHOWN);
            }
        }
    }

    static String f4(double value) {
        return String.format(Locale.ROOT, "%.4f", value);
    }

    static String f3(double value) {
        return String.format(Locale.ROOT, "%.3f", value);
    }
}
