package dev.newsclassifier.faults;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A scrape of a Prometheus text endpoint: sample name, labels and value per line. */
public final class PrometheusSamples {

    private record Sample(String name, Map<String, String> labels, double value) {
    }

    private final List<Sample> samples;

    private PrometheusSamples(List<Sample> samples) {
        this.samples = samples;
    }

    public static PrometheusSamples parse(String text) {
        List<Sample> samples = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.lastIndexOf(' ');
            if (space < 0) {
                continue;
            }
            String name;
            Map<String, String> labels = new LinkedHashMap<>();
            if (brace >= 0 && brace < space) {
                name = line.substring(0, brace);
                parseLabels(line.substring(brace + 1, line.lastIndexOf('}')), labels);
            } else {
                name = line.substring(0, space).trim();
            }
            try {
                samples.add(new Sample(name, labels, Double.parseDouble(line.substring(space + 1).trim())));
            } catch (NumberFormatException ignored) {
                // A sample with a timestamp or an unparseable value is not one this harness reads.
            }
        }
        return new PrometheusSamples(samples);
    }

    private static void parseLabels(String text, Map<String, String> labels) {
        int i = 0;
        while (i < text.length()) {
            int equals = text.indexOf('=', i);
            if (equals < 0) {
                return;
            }
            String key = text.substring(i, equals).trim();
            int start = text.indexOf('"', equals) + 1;
            StringBuilder value = new StringBuilder();
            int j = start;
            for (; j < text.length() && text.charAt(j) != '"'; j++) {
                if (text.charAt(j) == '\\' && j + 1 < text.length()) {
                    j++;
                }
                value.append(text.charAt(j));
            }
            labels.put(key, value.toString());
            i = text.indexOf(',', j);
            if (i < 0) {
                return;
            }
            i++;
        }
    }

    /** The sum of every sample of this name, whatever its labels; 0 when there is none. */
    public double sum(String name) {
        return sum(name, Map.of());
    }

    /** The sum of the samples of this name whose labels include all of {@code matching}. */
    public double sum(String name, Map<String, String> matching) {
        double total = 0;
        for (Sample sample : samples) {
            if (sample.name.equals(name) && sample.labels.entrySet().containsAll(matching.entrySet())) {
                total += sample.value;
            }
        }
        return total;
    }

    /** Values of one label over the samples of this name, summed per label value. */
    public Map<String, Double> byLabel(String name, String label) {
        Map<String, Double> totals = new LinkedHashMap<>();
        for (Sample sample : samples) {
            if (sample.name.equals(name) && sample.labels.containsKey(label)) {
                totals.merge(sample.labels.get(label), sample.value, Double::sum);
            }
        }
        return totals;
    }

    /** Every sample of this name: its labels and its value. */
    public Map<Map<String, String>, Double> series(String name) {
        Map<Map<String, String>, Double> series = new LinkedHashMap<>();
        for (Sample sample : samples) {
            if (sample.name.equals(name)) {
                series.merge(Map.copyOf(sample.labels), sample.value, Double::sum);
            }
        }
        return series;
    }
}
