package dev.newsclassifier.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.newsclassifier.avro.ClassifiedArticle;
import dev.newsclassifier.avro.NewsArticle;
import dev.newsclassifier.inference.Classification;
import dev.newsclassifier.inference.OnnxClassifier;
import dev.newsclassifier.inference.TextRule;
import dev.newsclassifier.local.ApicurioRegistry;
import dev.newsclassifier.local.RegistryKind;
import dev.newsclassifier.registry.RegisteredSchema;
import dev.newsclassifier.registry.SchemaRegistryClient;
import dev.newsclassifier.testing.LocalKafkaStackResource;
import dev.newsclassifier.testing.TestRegistries;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The service as Quarkus runs it, with Apicurio Registry (a registry this project did not write) as its schema
 * registry: articles published through Apicurio's Confluent API come out labeled, and the service registered the
 * labeled schema there itself.
 */
@QuarkusTest
@TestProfile(ApicurioServiceTest.Profile.class)
@ExtendWith(TestRegistries.ApicurioAvailable.class)
class ApicurioServiceTest {

    private static final int ARTICLES = 40;

    public static final class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.kafka-streams.application-id", "news-classifier-apicurio-test");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(LocalKafkaStackResource.class,
                    Map.of(LocalKafkaStackResource.REGISTRY, RegistryKind.APICURIO.cliName())));
        }
    }

    @Inject
    NewsConfig config;

    @Inject
    SchemaRegistryClient registry;

    @Inject
    OnnxClassifier classifier;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Test
    void shouldClassifyArticlesAndRegisterTheLabeledSchemaInApicurio() throws Exception {
        List<ServiceTestSupport.Sample> samples = ServiceTestSupport.samples(ARTICLES, "apicurio");
        ServiceTestSupport.publish(bootstrap, registry, config.topics().raw(), samples);

        Map<String, ClassifiedArticle> labeled = ServiceTestSupport.readLabeled(bootstrap, registry,
                config.topics().labeled(), ARTICLES, Duration.ofSeconds(120)).stream()
                .collect(Collectors.toMap(ConsumerRecord::key, ConsumerRecord::value));

        assertThat(labeled).hasSize(ARTICLES);
        List<Classification> direct = classifier.classify(samples.stream()
                .map(s -> TextRule.apply(s.article().getTitle(), s.article().getDescription())).toList());
        for (int i = 0; i < ARTICLES; i++) {
            ClassifiedArticle result = labeled.get(samples.get(i).article().getId());
            assertThat(result.getLabel()).as("stream and model agree on %s", result.getId())
                    .isEqualTo(classifier.model().label(direct.get(i).labelIndex()));
            assertThat(result.getModelName()).isEqualTo(classifier.model().name());
        }
        assertThat(config.registry().url()).contains(ApicurioRegistry.CCOMPAT_PATH);
        // A client with empty caches: the answers come from Apicurio, not from what the service remembers.
        SchemaRegistryClient fresh = SchemaRegistryClient.create(config.registry().url());
        RegisteredSchema labeledSchema = fresh.latestVersion(config.topics().labeled() + "-value");
        assertThat(labeledSchema.schema()).isEqualTo(ClassifiedArticle.getClassSchema());
        assertThat(labeledSchema.version()).isEqualTo(1);
        assertThat(fresh.latestVersion(config.topics().raw() + "-value").schema())
                .isEqualTo(NewsArticle.getClassSchema());
    }
}
