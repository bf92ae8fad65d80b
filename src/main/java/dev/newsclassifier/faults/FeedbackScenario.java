package dev.newsclassifier.faults;

import dev.newsclassifier.avro.ArticleFeedback;
import dev.newsclassifier.dataset.LabeledArticle;
import dev.newsclassifier.inference.Classification;
import dev.newsclassifier.inference.InferenceOptions;
import dev.newsclassifier.inference.OnnxClassifier;
import dev.newsclassifier.inference.TextRule;
import dev.newsclassifier.local.LocalTopics;
import dev.newsclassifier.registry.SchemaRegistryClient;
import dev.newsclassifier.serde.ConfluentAvroSerializer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Late ground truth end to end: articles are labeled, then their true labels arrive on the feedback topic in random
 * order (a few before their article, as an early editor's would), with duplicates, labels the model does not know and
 * ids nobody published mixed in. The service's live accuracy must equal the model's accuracy on the same texts
 * classified offline ({@code classify}'s code path) within 0.1 point, and each odd record must have its outcome.
 */
public final class FeedbackScenario implements FaultScenario {

    private static final String NAME = "feedback";
    private static final int EARLY = 20;
    private static final int DUPLICATES = 10;
    private static final int UNKNOWN_LABELS = 5;
    private static final int UNKNOWN_IDS = 5;
    private static final double TOLERANCE_POINTS = 0.1;
    private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(120);

    private final int articles;

    FeedbackScenario(int articles) {
        this.articles = articles;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "label " + articles + " articles, publish their true labels late and out of order with duplicates, "
                + "unknown labels and unknown ids; live accuracy equals offline accuracy within 0.1 point";
    }

    @Override
    public ScenarioResult run(FaultRun run) {
        List<String> details = FaultRun.details();
        FaultStack.RunTopics topics = run.stack().createTopics(NAME, 3);
        String feedbackTopic = NAME + ".feedback";
        run.stack().broker().createTopics(List.of(new LocalTopics.Topic(feedbackTopic, 2, false,
                LocalTopics.OUTPUT_MAX_MESSAGE_BYTES).toNewTopic()));
        Map<String, String> settings = run.serviceSettings(NAME, topics);
        settings.put("news.topics.feedback", feedbackTopic);
        settings.put("news.feedback.window-size", Integer.toString(articles));
        List<LabeledArticle> texts = new ArrayList<>();
        for (int i = 0; i < articles; i++) {
            texts.add(run.texts().get(i % run.texts().size()));
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < articles; i++) {
            order.add(i);
        }
        Collections.shuffle(order, run.random());
        try (ServiceProcess service = run.instance(NAME + "-1", settings).start();
                ArticleLoad load = ArticleLoad.of(run.stack(), topics.raw(), NAME, texts, articles);
                DeliveryCheck check = new DeliveryCheck(run.stack(), topics);
                KafkaProducer<String, ArticleFeedback> feedback = feedbackProducer(run)) {
            load.registerSchema();
            service.awaitReady(FaultRun.READY_TIMEOUT);
            long started = System.nanoTime();
            List<Integer> early = order.subList(0, EARLY);
            early.forEach(i -> send(feedback, feedbackTopic, load.ids().get(i), texts.get(i).label()));
            feedback.flush();
            load.publishNow(articles);
            DeliveryCheck.Delivery delivery = check.awaitAll(load.ids(), FaultRun.QUIET, run.drainTimeout());
            run.say(details, "%5.1f s  %d true labels published before their articles; %d articles labeled",
                    FaultRun.seconds(started), EARLY, delivery.outputs());
            order.subList(EARLY, articles).forEach(i -> send(feedback, feedbackTopic, load.ids().get(i),
                    texts.get(i).label()));
            for (int i = 0; i < DUPLICATES; i++) {
                int index = order.get(i);
                send(feedback, feedbackTopic, load.ids().get(index), texts.get(index).label());
            }
            for (int i = 0; i < UNKNOWN_LABELS; i++) {
                send(feedback, feedbackTopic, load.ids().get(order.get(articles - 1 - i)), "Weather");
            }
            for (int i = 0; i < UNKNOWN_IDS; i++) {
                send(feedback, feedbackTopic, NAME + "-nobody-published-" + i, texts.get(i).label());
            }
            feedback.flush();
            run.say(details, "%5.1f s  the other %d true labels published in random order, with %d duplicates, %d "
                    + "unknown labels and %d unknown ids", FaultRun.seconds(started), articles - EARLY, DUPLICATES,
                    UNKNOWN_LABELS, UNKNOWN_IDS);

            PrometheusSamples settled = awaitJudged(service);
            double live = settled.sum("news_feedback_window_accuracy");
            Map<String, Double> outcomes = settled.byLabel("news_feedback_total", "outcome");
            run.say(details, "%5.1f s  live: %.0f judged, accuracy %.4f, macro-F1 %.4f; outcomes %s",
                    FaultRun.seconds(started), settled.sum("news_feedback_window_articles"), live,
                    settled.sum("news_feedback_window_macro_f1"), outcomes);
            double offline = offlineAccuracy(run, texts);
            boolean equal = Math.abs(live - offline) * 100 <= TOLERANCE_POINTS;
            run.say(details, "offline (the model on the same %d texts): accuracy %.4f; difference %.2f points: %s",
                    articles, offline, Math.abs(live - offline) * 100, equal ? "ok" : "TOO FAR");
            boolean outcomesRight = outcomes.getOrDefault("matched", 0.0) == articles
                    && outcomes.getOrDefault("duplicate", 0.0) == DUPLICATES
                    && outcomes.getOrDefault("unknown_label", 0.0) == UNKNOWN_LABELS
                    // An early label waits unless the stream reads its article first: the two topics are read side by side.
                    && outcomes.getOrDefault("waiting", 0.0) >= UNKNOWN_IDS
                    && outcomes.getOrDefault("waiting", 0.0) <= EARLY + UNKNOWN_IDS;
            run.say(details, "outcomes: %s", outcomesRight ? "ok" : "WRONG");
            boolean survived = service.isAlive() && service.isReady();
            return ScenarioResult.of(NAME, delivery, equal && outcomesRight && survived, details);
        }
    }

    private static KafkaProducer<String, ArticleFeedback> feedbackProducer(FaultRun run) {
        ConfluentAvroSerializer<ArticleFeedback> serializer = new ConfluentAvroSerializer<>(
                SchemaRegistryClient.create(run.stack().registryUrl()));
        serializer.configure(Map.of(), false);
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, run.stack().bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), serializer);
    }

    private static void send(KafkaProducer<String, ArticleFeedback> producer, String topic, String id, String label) {
        producer.send(new ProducerRecord<>(topic, id, ArticleFeedback.newBuilder().setId(id).setLabel(label)
                .setSource("fault-suite").setReportedAt(Instant.now()).build()));
    }

    /** The metrics once every article is judged and every odd record counted; the last read if that never comes. */
    private PrometheusSamples awaitJudged(ServiceProcess service) {
        long deadline = System.nanoTime() + SETTLE_TIMEOUT.toNanos();
        PrometheusSamples last = null;
        while (System.nanoTime() < deadline) {
            last = service.metrics().orElse(last);
            if (last != null && last.sum("news_feedback_window_articles") >= articles
                    && last.sum("news_feedback_total", Map.of("outcome", "duplicate")) >= DUPLICATES
                    && last.sum("news_feedback_total", Map.of("outcome", "unknown_label")) >= UNKNOWN_LABELS) {
                return last;
            }
            ServiceProcess.sleep(500);
        }
        return last == null ? PrometheusSamples.parse("") : last;
    }

    /** The share of texts the model labels right, classified here in batches as {@code classify} does. */
    private static double offlineAccuracy(FaultRun run, List<LabeledArticle> texts) {
        try (OnnxClassifier classifier = OnnxClassifier.load(run.modelDir(), InferenceOptions.cpu(2))) {
            int correct = 0;
            for (int start = 0; start < texts.size(); start += 32) {
                List<LabeledArticle> batch = texts.subList(start, Math.min(texts.size(), start + 32));
                List<Classification> results = classifier.classify(batch.stream()
                        .map(text -> TextRule.apply(text.title(), text.description() == null ? "" : text.description()))
                        .toList());
                for (int i = 0; i < batch.size(); i++) {
                    if (classifier.model().label(results.get(i).labelIndex()).equals(batch.get(i).label())) {
                        correct++;
                    }
                }
            }
            return correct / (double) texts.size();
        }
    }
}
