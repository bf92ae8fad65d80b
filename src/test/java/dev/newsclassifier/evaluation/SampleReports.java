package dev.newsclassifier.evaluation;

import java.util.ArrayList;
import java.util.List;

/** A report with every section filled: 4 labels, latencies, throughput and a comparison. */
final class SampleReports {

    static final List<String> LABELS = List.of("World", "Sports", "Business", "Sci/Tech");

    private SampleReports() {
    }

    /** 200 articles, 50 per label; the baseline gets every 5th wrong, the candidate every 10th. */
    static Report full() {
        List<Prediction> baseline = new ArrayList<>();
        List<Prediction> candidate = new ArrayList<>();
        long start = 1_700_000_000_000L;
        for (int i = 0; i < 200; i++) {
            String truth = LABELS.get(i % 4);
            String wrong = LABELS.get((i + 1) % 4);
            long published = start + i * 25L;
            long latency = 40 + (i * 7919L) % 160;
            baseline.add(new Prediction("a-" + i, "Title <" + i + "> & more", truth, i % 5 == 0 ? wrong : truth,
                    0.5 + (i % 50) / 100.0, published, published + latency));
            candidate.add(new Prediction("a-" + i, "Title <" + i + "> & more", truth, i % 10 == 0 ? wrong : truth,
                    0.6, published, published + latency + 5));
        }
        Comparison comparison = Comparison.of("news.labeled", baseline, "news.labeled.candidate", candidate, LABELS);
        return Evaluation.report("evaluate", "sample-run", "news.labeled", List.of("model-a 1.0.0"), LABELS, baseline, -1,
                true, comparison, List.of("A note for people."));
    }
}
