package dev.newsclassifier.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The shipped default model, run by ONNX Runtime on the CPU. */
class OnnxClassifierTest {

    /** Headlines written for this test (not from AG News), three per class. */
    private static final List<String[]> HEADLINES = List.of(
            new String[] {"World", "Prime minister resigns as coalition collapses over budget vote"},
            new String[] {"World", "Rebels seize border town as refugees flee across the river"},
            new String[] {"World", "Foreign ministers meet in Vienna to revive stalled peace talks"},
            new String[] {"Sports", "Striker scores twice as United climb to the top of the league"},
            new String[] {"Sports", "Olympic champion withdraws from marathon with hamstring injury"},
            new String[] {"Sports", "Home side clinch series with a six in the final over"},
            new String[] {"Business", "Shares of the retailer tumble after profit warning"},
            new String[] {"Business", "Central bank leaves interest rates unchanged as inflation eases"},
            new String[] {"Business", "Brewer agrees to buy rival in $5 billion takeover deal"},
            new String[] {"Sci/Tech", "New smartphone chip promises longer battery life and faster graphics"},
            new String[] {"Sci/Tech", "Astronomers detect water vapour on a distant exoplanet"},
            new String[] {"Sci/Tech", "Security firm warns of a virus spreading through email attachments"});

    private static OnnxClassifier classifier;

    @BeforeAll
    static void load() {
        classifier = OnnxClassifier.load(DefaultModel.DIR, new InferenceOptions(InferenceOptions.Device.CPU, 0, false, 2, 4, true));
    }

    @AfterAll
    static void close() {
        classifier.close();
    }

    @Test
    void shouldLabelAtLeastElevenOfTwelveHandwrittenHeadlines() {
        List<Classification> results = classifier.classify(HEADLINES.stream().map(h -> h[1]).toList());

        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < HEADLINES.size(); i++) {
            String predicted = classifier.model().label(results.get(i).labelIndex());
            if (!predicted.equals(HEADLINES.get(i)[0])) {
                wrong.add(HEADLINES.get(i)[1] + " -> " + predicted);
            }
        }
        assertThat(wrong).as("misclassified headlines").hasSizeLessThanOrEqualTo(1);
    }

    @Test
    void shouldTakeLabelsFromTheModelConfig() {
        assertThat(classifier.model().labels()).containsExactly("World", "Sports", "Business", "Sci/Tech");
        assertThat(classifier.model().maxLength()).isPositive();
    }

    @Test
    void shouldGiveTheSameScoresAloneAsInAPaddedBatch() {
        String shortText = "Stocks rise";
        String longText = "The space agency said on Tuesday that its new telescope had captured images of galaxies "
                + "formed shortly after the big bang, opening a new window on the early universe for astronomers.";
        float[] alone = classifier.classify(List.of(shortText)).get(0).probabilities();

        List<Classification> mixed = classifier.classify(List.of(longText, shortText, longText, longText, longText));

        assertThat(mixed.get(1).probabilities()).containsExactly(alone, within(1e-4f));
    }

    @Test
    void shouldReturnProbabilitiesThatSumToOne() {
        Classification result = classifier.classify(List.of("Oil prices climb as supply falls")).get(0);

        float sum = 0;
        for (float p : result.probabilities()) {
            sum += p;
        }
        assertThat(sum).isCloseTo(1f, within(1e-5f));
        assertThat(result.confidence()).isEqualTo(result.probabilities()[result.labelIndex()]);
    }

    @Test
    void shouldFlagTextLongerThanTheModelMaximum() {
        String longText = "markets ".repeat(classifier.model().maxLength() + 10);

        List<Classification> results = classifier.classify(List.of(longText, "Short headline"));

        assertThat(results.get(0).truncated()).isTrue();
        assertThat(results.get(1).truncated()).isFalse();
    }

    @Test
    void shouldClassifyAnEmptyBatchWithoutCallingTheModel() {
        assertThat(classifier.classify(List.of())).isEmpty();
    }
}
