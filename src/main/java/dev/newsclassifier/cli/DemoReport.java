package dev.newsclassifier.cli;

import dev.newsclassifier.avro.ClassifiedArticle;
import dev.newsclassifier.dataset.LabeledArticle;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/** The demo's output: one line per article, then count, accuracy, throughput and latency. */
final class DemoReport {

    /** A labeled result and the timestamp of its record (the input article's publish time). */
    record Received(ClassifiedArticle article, long recordTimestamp) {
    }

    private static final int TITLE_WIDTH = 60;

    private final List<LabeledArticle> articles;
    private final Map<String, Received> results;
    private final long publishedAt;
    private final long finishedAt;

    DemoReport(List<LabeledArticle> articles, Map<String, Received> results, long publishedAt, long finishedAt) {
        this.articles = articles;
        this.results = results;
        this.publishedAt = publishedAt;
        this.finishedAt = finishedAt;
    }

    void print(PrintStream out) {
        out.printf("%-14s %-9s %-9s %6s  %s%n", "ID", "EXPECTED", "LABEL", "CONF", "TITLE");
        int known = 0;
        int correct = 0;
        for (LabeledArticle article : articles) {
            Received received = results.get(article.id());
            String expected = article.label() == null ? "-" : article.label();
            if (received == null) {
                out.printf("%-14s %-9s %-9s %6s  %s%n", clip(article.id(), 14), expected, "(missing)", "", title(article));
                continue;
            }
            ClassifiedArticle result = received.article();
            String mark = "";
            if (article.label() != null) {
                known++;
                boolean right = article.label().equals(result.getLabel());
                correct += right ? 1 : 0;
                mark = right ? "" : "  <- wrong";
            }
            out.printf("%-14s %-9s %-9s %6.3f  %s%s%n", clip(article.id(), 14), expected, result.getLabel(),
                    result.getConfidence(), title(article), mark);
        }
        long[] latencies = results.values().stream()
                .mapToLong(r -> r.article().getClassifiedAt().toEpochMilli() - r.recordTimestamp()).sorted().toArray();
        double seconds = Math.max(1, finishedAt - publishedAt) / 1000.0;
        out.println();
        out.println("Summary");
        out.printf("  articles published   %d%n", articles.size());
        out.printf("  labeled results      %d%s%n", results.size(),
                results.size() == articles.size() ? "" : "  (" + (articles.size() - results.size()) + " missing)");
        if (known > 0) {
            out.printf("  accuracy             %.1f%% (%d of %d with a known label)%n", 100.0 * correct / known, correct, known);
        }
        out.printf("  throughput           %.1f articles/s (publish to last result, %.1f s)%n", results.size() / seconds,
                seconds);
        if (latencies.length > 0) {
            out.printf("  end-to-end latency   p50 %d ms, p99 %d ms%n", percentile(latencies, 50), percentile(latencies, 99));
        }
    }

    static long percentile(long[] sorted, double percent) {
        int rank = (int) Math.ceil(percent / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private static String title(LabeledArticle article) {
        String text = article.title().isBlank() ? article.description() : article.title();
        return clip(text.replaceAll("\\s+", " "), TITLE_WIDTH);
    }

    private static String clip(String text, int width) {
        return text.length() <= width ? text : text.substring(0, width - 1) + "\u2026";
    }
}
