package dev.newsclassifier.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.newsclassifier.avro.ClassifiedArticle;
import dev.newsclassifier.registry.SchemaRegistryClient;
import dev.newsclassifier.testing.LocalKafkaStackResource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Review routing against a real broker and the shipped model: articles below the confidence threshold come out
 * flagged on the labeled topic, and a copy of each, and only those, on the review topic.
 */
@QuarkusTest
@TestProfile(ReviewRoutingServiceTest.Profile.class)
class ReviewRoutingServiceTest {

    private static final double MIN_CONFIDENCE = 0.99;

    public static final class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.kafka-streams.application-id", "news-classifier-review-test",
                    "news.topics.raw", "review-test.raw", "news.topics.labeled", "review-test.labeled",
                    "news.topics.dead-letter", "review-test.dead-letter", "news.topics.review", "review-test.review",
                    "news.review.min-confidence", Double.toString(MIN_CONFIDENCE));
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(LocalKafkaStackResource.class, Map.of(
                    LocalKafkaStackResource.RAW_TOPIC, "review-test.raw",
                    LocalKafkaStackResource.LABELED_TOPIC, "review-test.labeled",
                    LocalKafkaStackResource.DEAD_LETTER_TOPIC, "review-test.dead-letter",
                    LocalKafkaStackResource.EXTRA_TOPICS, "review-test.review")));
        }
    }

    @Inject
    NewsConfig config;

    @Inject
    SchemaRegistryClient registry;

    @Inject
    MeterRegistry meters;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Test
    void shouldFlagUnsureArticlesAndCopyExactlyThoseToTheReviewTopic() throws Exception {
        List<ServiceTestSupport.Sample> samples = ServiceTestSupport.samples(200, "review");
        ServiceTestSupport.publish(bootstrap, registry, config.topics().raw(), samples);

        List<ConsumerRecord<String, ClassifiedArticle>> labeled = ServiceTestSupport.readLabeled(bootstrap, registry,
                config.topics().labeled(), samples.size(), Duration.ofSeconds(120));
        assertThat(labeled).hasSize(samples.size());
        Set<String> unsure = labeled.stream().map(ConsumerRecord::value)
                .filter(article -> article.getConfidence() < MIN_CONFIDENCE).map(ClassifiedArticle::getId)
                .collect(Collectors.toSet());
        Set<String> flagged = labeled.stream().map(ConsumerRecord::value).filter(ClassifiedArticle::getNeedsReview)
                .map(ClassifiedArticle::getId).collect(Collectors.toSet());
        assertThat(unsure).as("some articles of the sample are below %s", MIN_CONFIDENCE).isNotEmpty();
        assertThat(flagged).isEqualTo(unsure);

        List<ConsumerRecord<String, ClassifiedArticle>> review = ServiceTestSupport.readLabeled(bootstrap, registry,
                config.topics().review().orElseThrow(), unsure.size(), Duration.ofSeconds(30));
        assertThat(review.stream().map(ConsumerRecord::key).collect(Collectors.toSet())).isEqualTo(unsure);
        assertThat(review).hasSize(unsure.size()).allSatisfy(record -> assertThat(record.value().getNeedsReview()).isTrue());
        assertThat(meters.get("news.articles.needs-review").counter().count()).isEqualTo(unsure.size());
    }
}
